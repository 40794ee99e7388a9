// Step 1 of the job: the scripts the event touched (or all of them), and a shard's own share.
import type { Settings } from '../settings.js'
import type { EventInfo } from '../github/event.js'
import type { GitHubClient } from '../github/client.js'
import { info, log } from '../log.js'
import { shardFiles, shardLabel, type Shard } from '../shard/split.js'
import { findScripts, type Selection } from './index.js'

/** Step 1: the scripts the event touched (or all of them), logged. */
export async function selectScripts(
  settings: Settings,
  event: EventInfo,
  workspace: string,
  github: GitHubClient | null
): Promise<Selection> {
  const selection = await findScripts({
    mode: settings.mode,
    patterns: settings.scripts,
    event,
    workspace,
    github,
    log: info,
    warn: log.warning
  })
  info(`Scripts: ${selection.files.length} selected from ${selection.source}`)
  for (const file of selection.removed) info(`${file} was removed: nothing to generate`)
  return selection
}

/** The selected scripts that are this shard's: each job of the matrix takes its own. */
export function ownScripts(selection: Selection, shard: Shard): string[] {
  const own = shardFiles(selection.files, shard)
  info(
    `Shard ${shardLabel(shard)}: ${own.length} of the ${selection.files.length} selected scripts are this job's`
  )
  return own
}
