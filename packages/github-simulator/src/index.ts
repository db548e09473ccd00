/** The simulator's public surface: the simulator itself and the shapes of what it records and holds. */
export { GitHubSimulator } from "./simulator.js";
export type {
  CheckRunView,
  CommentView,
  CommitView,
  Delivery,
  Fault,
  FaultMatcher,
  IssueView,
  Permission,
  PullRequestView,
  RequestRecord,
  SimulatorOptions,
} from "./simulator.js";
export type { SimIssue, SimPull, SimRepo } from "./model.js";
