// Where a script's video goes in the artifact: its own path, in names the service accepts, the
// same on every run, and never the same for two scripts.
import { describe, expect, it } from '@jest/globals'
import { assetNames, mediaBases, releaseAssetNames, storablePath } from '../../src/publish/names.js'

/** @actions/artifact's own list of what a file path may not hold (validateFilePath). */
const REFUSED_BY_THE_SERVICE = ['"', ':', '<', '>', '|', '*', '?', '\r', '\n']

describe('storablePath', () => {
  it.each(REFUSED_BY_THE_SERVICE)('maps %j to a name the service accepts', ch => {
    const stored = storablePath(`videos/a${ch}b`)
    for (const refused of REFUSED_BY_THE_SERVICE) expect(stored).not.toContain(refused)
    expect(decodeURIComponent(stored)).toBe(`videos/a${ch}b`)
  })

  it('leaves ordinary paths alone, spaces and accents included', () => {
    expect(storablePath('videos/Ünïcode clip/intro-v2.md')).toBe('videos/Ünïcode clip/intro-v2.md')
  })

  it('never maps two paths to one name', () => {
    const paths = ['videos/a:b', 'videos/a%3Ab', 'videos/a%253Ab', 'videos/a\\b', 'videos/a%5Cb']
    const stored = paths.map(storablePath)
    expect(new Set(stored).size).toBe(paths.length)
  })
})

describe('mediaBases', () => {
  it('names a video after its script, without the extension', () => {
    expect(mediaBases(['videos/intro.md'], ['videos/intro.md'])).toEqual(
      new Map([['videos/intro.md', 'videos/intro']])
    )
  })

  it('keeps the extension of scripts that share a name, whichever of them a run touches', () => {
    const known = ['videos/intro.md', 'videos/intro.yml', 'videos/outro.md']
    const alone = mediaBases(['videos/intro.yml'], known)
    const together = mediaBases(['videos/intro.md', 'videos/intro.yml', 'videos/outro.md'], known)
    expect(alone.get('videos/intro.yml')).toBe('videos/intro.yml')
    expect(together).toEqual(
      new Map([
        ['videos/intro.md', 'videos/intro.md'],
        ['videos/intro.yml', 'videos/intro.yml'],
        ['videos/outro.md', 'videos/outro']
      ])
    )
  })

  it("keeps a script's whole path when its name is another script's whole path", () => {
    const files = ['v/a.md', 'v/a.yml', 'v/a.md.md']
    const bases = [...mediaBases(files, files).values()]
    expect(new Set(bases).size).toBe(files.length)
  })

  it('gives every script of a large library its own name', () => {
    const files = Array.from({ length: 2000 }, (_, i) => {
      const ext = ['md', 'yml', 'json', 'txt'][i % 4]
      return `videos/${i % 7}/clip ${Math.floor(i / 4)}:${i % 3}.${ext}`
    })
    const bases = [...mediaBases(files, files).values()]
    expect(new Set(bases).size).toBe(files.length)
    for (const base of bases) expect(base).not.toMatch(/[":<>|*?\r\n]/)
  })
})

describe('releaseAssetNames', () => {
  const scripts = (...files: string[]) => files.map(file => ({ file, thumbnailExtension: '.jpg' }))

  it('names with 16 hex digits of the path, readable, and the same on every run', () => {
    expect(assetNames('videos/product/intro.md')).toEqual({
      video: expect.stringMatching(/^videos-product-intro-[0-9a-f]{16}\.mp4$/),
      thumbnail: expect.stringMatching(/^videos-product-intro-[0-9a-f]{16}\.jpg$/)
    })
    // Their first 8 hex digits are the same: the names an earlier version gave them were too.
    expect(assetNames('videos/intro~($ [{)$.md')).not.toEqual(assetNames('videos/intro.md'))
  })

  it('refuses the second of two scripts that would get one name, naming both', () => {
    const clashing = (file: string, ext: string) => ({
      video: 'same.mp4',
      thumbnail: `${file}${ext}`
    })

    const named = releaseAssetNames(scripts('videos/a.md', 'videos/b.md'), [], clashing)

    expect(named.get('videos/a.md')).toEqual({ video: 'same.mp4', thumbnail: 'videos/a.md.jpg' })
    expect(named.get('videos/b.md')).toEqual({
      clash: expect.stringMatching(/^its asset name same\.mp4 is that of videos\/a\.md, /)
    })
  })

  it("refuses a name the release's manifest gives another script, whatever the order", () => {
    const clashing = (file: string, ext: string) => ({
      video: 'same.mp4',
      thumbnail: `${file}${ext}`
    })
    const earlier = [{ file: 'videos/z.md', video: 'same.mp4', thumbnail: null }]

    const named = releaseAssetNames(scripts('videos/a.md', 'videos/z.md'), earlier, clashing)

    expect(named.get('videos/a.md')).toEqual({ clash: expect.stringContaining('videos/z.md') })
    expect(named.get('videos/z.md')).toMatchObject({ video: 'same.mp4' })
  })

  it("keeps a script's 8-digit names from an earlier version, and never gives them to another", () => {
    const old = assetNames('videos/intro.md', '.jpg', 8)
    const earlier = [{ file: 'videos/intro.md', ...old }]

    const named = releaseAssetNames(scripts('videos/intro.md', 'videos/intro~($ [{)$.md'), earlier)

    expect(named.get('videos/intro.md')).toEqual(old)
    expect(named.get('videos/intro~($ [{)$.md')).toEqual(assetNames('videos/intro~($ [{)$.md'))
  })
})
