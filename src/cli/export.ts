// bsfnet export <model> --format tfjs|onnx -o <dir|file>
import { readModelFile } from "../io/file.js";
import { saveTfjs } from "../export/tfjs.js";
import { saveOnnx } from "../export/onnx.js";
import { ConfigError } from "../errors.js";
import { parse } from "./args.js";
import type { Command } from "./command.js";

const usage = `Usage: bsfnet export <model.bsfnet> --format tfjs|onnx -o <dir|file.onnx>
tfjs writes <dir>/model.json and <dir>/weights.bin (tf.loadLayersModel); onnx writes one .onnx file
(opset 13, input "input" [N, D], output "output"). Gates are exported as a fixed 0/1 multiply folded
into the next layer; prune first to shrink the tensors.`;

export const command: Command = {
  name: "export",
  summary: "write a model file as a TensorFlow.js layers model or an ONNX file",
  usage,
  async run(argv, io) {
    const { values, positionals } = parse(argv, { format: { type: "string" }, out: { type: "string", short: "o" }, help: { type: "boolean", short: "h" } }, usage);
    if (values.help) {
      io.out(usage);
      return 0;
    }
    const path = positionals[0];
    if (!path || positionals.length > 1) throw new ConfigError(`expected one model file\n\n${usage}`);
    if (values.format !== "tfjs" && values.format !== "onnx") throw new ConfigError(`--format must be tfjs or onnx\n\n${usage}`);
    if (typeof values.out !== "string") throw new ConfigError(`missing -o <dir|file>\n\n${usage}`);
    const spec = (await readModelFile(path)).spec;
    if (values.format === "tfjs") {
      const p = await saveTfjs(spec, values.out);
      io.out(`wrote ${p.modelJson} and ${p.weights}`);
    } else {
      await saveOnnx(spec, values.out);
      io.out(`wrote ${values.out}`);
    }
    return 0;
  },
};
