import { parentPort, workerData } from 'node:worker_threads';
import { segmentChecker } from './sqlite-raw-events';
import type { SegmentReply, SegmentTask, VerifyThreadData } from './sqlite-verify-threads';

// Entry point of a verification thread (see sqliteSegments): reads and checks one segment per task.
const { file, densePositions } = workerData as VerifyThreadData;
const checker = segmentChecker(file);

parentPort?.on('message', (task: SegmentTask) => {
  let reply: SegmentReply;
  try {
    reply = { id: task.id, segment: checker.check(task.after, task.upTo, densePositions) };
  } catch (error) {
    reply = { id: task.id, error: error instanceof Error ? error.message : String(error) };
  }
  parentPort?.postMessage(reply, 'segment' in reply ? [reply.segment.leaves.buffer as ArrayBuffer] : []);
});
