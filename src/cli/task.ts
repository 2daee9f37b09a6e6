// --task classification|regression, shared by the commands that train (train; select and evaluate
// take the same option): regression reads the label as a number and trains on the mean squared error.
import { ConfigError } from "../errors.js";
import type { OptionSpec } from "./args.js";

export const TASKS = ["classification", "regression"] as const;
export type Task = (typeof TASKS)[number];

export const taskOption = {
  type: "string",
  arg: TASKS.join("|"),
  default: "classification",
  help: "regression: a numeric label, a linear output trained on the mean squared error (RMSE and R² reported)",
} as const satisfies OptionSpec;

export function parseTask(v: unknown): Task {
  if (v === undefined) return "classification";
  if (!TASKS.includes(v as Task))
    throw new ConfigError(`--task must be classification or regression, got ${JSON.stringify(v)}`);
  return v as Task;
}
