// Runs the built action (dist/index.js) as a child process with the environment a GitHub
// runner gives it: inputs with action.yml's defaults, event file, output and summary files.
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, writeFile, mkdir } from 'node:fs/promises'
import { readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')

/** The avatar and voice the demo, the screenshot, the bench and the tests give every script. */
export const SAMPLE_INPUTS = {
  'avatar-id': 'Daisy-inskirt-20220818',
  'voice-id': '2d5b0e6cf36f460aa7fc47e3eee4ba54'
}
const ACTION = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8'))

/**
 * The part of runAction's options that points the action at the local stand-ins: the GitHub API,
 * the artifact service, and the request-queue simulator with its key and the sample avatar.
 * @param {{ sim: { url: string }, github: { url: string }, artifacts: { env: Record<string, string> }, apiKey: string, pollInterval: string }} stand
 */
export function againstStandIns({ sim, github, artifacts, apiKey, pollInterval }) {
  return {
    apiUrl: github.url,
    env: artifacts.env,
    inputs: {
      'api-key': apiKey,
      'api-url': sim.url,
      ...SAMPLE_INPUTS,
      'poll-interval': pollInterval
    }
  }
}

/**
 * @typedef {object} RunOptions
 * @property {Record<string, string>} [inputs] action inputs by their action.yml names
 * @property {{ name: string, payload: object }} event the triggering event
 * @property {string} workspace the checked-out repository
 * @property {string} [apiUrl] GitHub REST API base URL (GITHUB_API_URL)
 * @property {string} [token] what `${{ github.token }}` expands to
 * @property {string} [repository] owner/name
 * @property {string} [sha]
 * @property {Record<string, string>} [env] extra environment (e.g. the artifact service's)
 * @property {string} [entry] script to run; dist/index.js by default
 * @property {string[]} [nodeArgs] options for node before the script (e.g. `--import`)
 * @property {number} [timeoutMs] kill the action after this long
 * @property {(child: import('node:child_process').ChildProcess) => void} [onSpawn]
 */

/**
 * @typedef {object} RunResult
 * @property {number | null} code exit code
 * @property {string} stdout
 * @property {string} stderr
 * @property {Record<string, string>} outputs step outputs
 * @property {string} summary job summary markdown
 * @property {Array<{ level: string, message: string, properties: Record<string, string> }>} annotations
 * @property {string[]} masked values the action masked
 * @property {string} dir the run's temporary folder (RUNNER_TEMP and files live under it)
 */

/** @param {RunOptions} options @returns {Promise<RunResult>} */
export async function runAction(options) {
  const { dir, files, env } = await runnerEnvironment(options)

  // AVATAR_ACTION_ENTRY runs another build of the action, e.g. one made outside dist/.
  const script =
    options.entry ?? process.env.AVATAR_ACTION_ENTRY ?? path.join(ROOT, 'dist', 'index.js')
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), script], {
    cwd: options.workspace,
    env,
    stdio: ['ignore', 'pipe', 'pipe']
  })
  options.onSpawn?.(child)
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', chunk => (stdout += chunk))
  child.stderr.on('data', chunk => (stderr += chunk))
  const timer = options.timeoutMs
    ? setTimeout(() => child.kill('SIGKILL'), options.timeoutMs)
    : null
  const code = await new Promise(resolve => child.on('close', resolve))
  if (timer) clearTimeout(timer)

  return {
    code,
    stdout,
    stderr,
    outputs: parseOutputs(await readFile(files.output, 'utf8')),
    summary: await readFile(files.summary, 'utf8'),
    annotations: parseAnnotations(stdout),
    masked: [...stdout.matchAll(/^::add-mask::(.*)$/gm)].map(m => m[1]),
    dir
  }
}

/**
 * What a runner sets up for a step: a temporary folder with the event, output and summary files,
 * and the environment naming them, the inputs and the rest. Also `npm run local-action`'s.
 * @param {RunOptions} options
 */
export async function runnerEnvironment(options) {
  const dir = await mkdtemp(path.join(tmpdir(), 'avatar-run-'))
  const files = {
    event: path.join(dir, 'event.json'),
    output: path.join(dir, 'output'),
    summary: path.join(dir, 'summary.md'),
    state: path.join(dir, 'state'),
    env: path.join(dir, 'env'),
    path: path.join(dir, 'path')
  }
  const temp = path.join(dir, 'temp')
  const toolCache = path.join(dir, 'tool-cache')
  await Promise.all([mkdir(temp), mkdir(toolCache)])
  await writeFile(files.event, JSON.stringify(options.event.payload))
  await Promise.all(['output', 'summary', 'state', 'env', 'path'].map(f => writeFile(files[f], '')))

  const repository = options.repository ?? 'Codertocat/Hello-World'
  const token = options.token ?? 'ghs_standin'
  const env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? dir,
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: options.event.name,
    GITHUB_EVENT_PATH: files.event,
    GITHUB_WORKSPACE: options.workspace,
    GITHUB_REPOSITORY: repository,
    GITHUB_REPOSITORY_OWNER: repository.split('/')[0],
    GITHUB_SHA: options.sha ?? 'c0ffee0000000000000000000000000000000000',
    GITHUB_REF: 'refs/heads/main',
    GITHUB_API_URL: options.apiUrl ?? 'http://127.0.0.1:9',
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_GRAPHQL_URL: `${options.apiUrl ?? 'http://127.0.0.1:9'}/graphql`,
    GITHUB_RUN_ID: '1234567890',
    GITHUB_RUN_NUMBER: '7',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_JOB: 'videos',
    GITHUB_WORKFLOW: 'Avatar videos',
    GITHUB_ACTION: 'avatar-video',
    GITHUB_ACTOR: 'Codertocat',
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_STATE: files.state,
    GITHUB_ENV: files.env,
    GITHUB_PATH: files.path,
    RUNNER_TEMP: temp,
    RUNNER_TOOL_CACHE: toolCache,
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    ...inputEnv(options.inputs ?? {}, token),
    ...(options.env ?? {})
  }

  return { dir, files, env }
}

/** Every input the runner would set: the given value, else action.yml's default, as `INPUT_NAME`. */
function inputEnv(inputs, token) {
  const env = {}
  for (const [name, spec] of Object.entries(ACTION.inputs)) {
    const given = inputs[name]
    const fallback = String(spec.default ?? '').replace('${{ github.token }}', token)
    // The runner upper-cases the name and keeps dashes: INPUT_API-KEY.
    env[`INPUT_${name.toUpperCase()}`] = given ?? fallback
  }
  for (const name of Object.keys(inputs)) {
    if (!(name in ACTION.inputs)) throw new Error(`action.yml has no input named ${name}`)
  }
  return env
}

/** Reads the `name<<delimiter` blocks @actions/core writes to GITHUB_OUTPUT. */
export function parseOutputs(text) {
  const outputs = {}
  const pattern = /^([^<\n]+)<<(\S+)\n([\s\S]*?)\n\2$/gm
  for (const [, name, , value] of text.matchAll(pattern)) outputs[name] = value
  return outputs
}

/** Reads `::error file=…,line=…::message` workflow commands from stdout. */
export function parseAnnotations(stdout) {
  const annotations = []
  for (const [, level, props, message] of stdout.matchAll(
    /^::(error|warning|notice)(?: ([^:]*))?::(.*)$/gm
  )) {
    const properties = {}
    for (const pair of (props ?? '').split(',').filter(Boolean)) {
      const at = pair.indexOf('=')
      properties[pair.slice(0, at)] = unescapeProperty(pair.slice(at + 1))
    }
    annotations.push({ level, message: unescapeData(message), properties })
  }
  return annotations
}

function unescapeData(text) {
  return text.replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%')
}

function unescapeProperty(text) {
  return unescapeData(text).replace(/%3A/g, ':').replace(/%2C/g, ',')
}
