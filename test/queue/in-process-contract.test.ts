import { pino } from "pino";
import { InProcessQueue } from "../../src/queue/in-process-queue.js";
import { describeQueueContract } from "./queue-contract.js";

// The interface tests the Redis queue passes too (redis-queue.test.ts).
describeQueueContract(
  "InProcessQueue",
  (run, concurrency = 4) => new InProcessQueue(run, pino({ level: "silent" }), concurrency),
);
