// bsfnet export <model> --format tfjs|onnx -o <dir|file>
import { readModelFile } from "../io/file.js";
import { fileToSpec } from "../io/spec.js";
import { saveTfjs } from "../io/tfjs.js";
import { saveOnnx } from "../io/onnx.js";
import { ConfigError } from "../errors.js";
import { guard, parse } from "./args.js";

export const USAGE = `Usage: bsfnet export <model.bsfnet> --format tfjs|onnx -o <dir|file.onnx>
tfjs writes <dir>/model.json and <dir>/weights.bin (tf.loadLayersModel); onnx writes one .onnx file
(opset 13, input "input" [N, D], output "output"). Gates are exported as a fixed 0/1 multiply folded
into the next layer; prune first to shrink the tensors.`;

export async function run(argv: string[]): Promise<number> {
  return guard(async () => {
    const { values, positionals } = parse(argv, { format: { type: "string" }, out: { type: "string", short: "o" }, help: { type: "boolean", short: "h" } }, USAGE);
    if (values.help) {
      console.log(USAGE);
      return 0;
    }
    const path = positionals[0];
    if (!path || positionals.length > 1) throw new ConfigError(`expected one model file\n\n${USAGE}`);
    if (values.format !== "tfjs" && values.format !== "onnx") throw new ConfigError(`--format must be tfjs or onnx\n\n${USAGE}`);
    if (typeof values.out !== "string") throw new ConfigError(`missing -o <dir|file>\n\n${USAGE}`);
    const spec = fileToSpec(await readModelFile(path), path);
    if (values.format === "tfjs") {
      const p = await saveTfjs(spec, values.out);
      console.log(`wrote ${p.modelJson} and ${p.weights}`);
    } else {
      await saveOnnx(spec, values.out);
      console.log(`wrote ${values.out}`);
    }
    return 0;
  });
}
