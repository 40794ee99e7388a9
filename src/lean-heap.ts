// Imported first by index.ts, so that it runs before the rest of the action is loaded. The action
// moves gigabytes of video through streams but computes little, so it trades speed for memory:
// --optimize-for-size keeps V8's young generation small and collects sooner the chunks that the
// artifact upload's 8 MiB stream buffers hold on to. `npm run bench` measures the effect.
import { setFlagsFromString } from 'node:v8'

setFlagsFromString('--optimize-for-size')
