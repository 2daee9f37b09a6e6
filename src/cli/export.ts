// bsfnet export <model> --format tfjs|onnx -o <dir|file>
import { readModelFile } from "../io/file.js";
import { saveTfjs } from "../export/tfjs.js";
import { saveOnnx } from "../export/onnx.js";
import { ConfigError } from "../errors.js";
import { checkOutput, helpOf, parse, type OptionTable } from "./args.js";
import type { Command } from "./command.js";

const options = {
  format: {
    type: "string",
    arg: "tfjs|onnx",
    help: "tfjs: <dir>/model.json and weights.bin (tf.loadLayersModel); onnx: one .onnx file (opset 13)",
  },
  out: { type: "string", short: "o", arg: "dir|file.onnx", help: "where to write (required)" },
  help: { type: "boolean", short: "h", help: "show this help" },
} as const satisfies OptionTable;

const usage = helpOf(
  "Usage: bsfnet export <model.bsfnet> --format tfjs|onnx -o <dir|file.onnx>",
  options,
  `ONNX: input "input" [N, D], output "output" (probabilities). Gates are exported as a fixed 0/1
multiply folded into the next layer; a Normalization layer as Sub/Div (ONNX) or folded into the
next Dense (TF.js). Prune first to shrink the tensors. A pruned model reads the columns listed
in its meta.inputKeep (bsfnet info shows them).`,
);

export const command: Command = {
  name: "export",
  summary: "write a model file as a TensorFlow.js layers model or an ONNX file",
  usage,
  async run(argv, io) {
    const { values, positionals } = parse(argv, options, usage);
    const path = positionals[0];
    if (!path || positionals.length > 1) throw new ConfigError(`expected one model file\n\n${usage}`);
    if (values.format !== "tfjs" && values.format !== "onnx")
      throw new ConfigError(`--format must be tfjs or onnx\n\n${usage}`);
    if (typeof values.out !== "string") throw new ConfigError("missing -o <dir|file> (bsfnet export --help)");
    checkOutput(values.out, "-o", { directory: values.format === "tfjs" });
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
