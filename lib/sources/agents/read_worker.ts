// The entry of the worker thread that reads agent logs beside the main thread (parallel_read.ts starts it;
// read_job.ts holds the loop). Bundled on its own (scripts/build.js) so that the bundle and the single
// executable can start it from a string. Any failure is reported in the shared state: the main thread then
// reads what this thread did not post.
import { workerData } from 'worker_threads';
import { SLOT, STATE, WorkerData, notifyAll, workOn } from './read_job';

const data = workerData as WorkerData;
try {
  workOn(data);
} catch {
  Atomics.store(data.shared, SLOT.state, STATE.failed);
  notifyAll(data.shared);
}
