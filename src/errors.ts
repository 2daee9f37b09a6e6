// Typed errors: every failure a user can cause names what it was about (file, row, column, layer).

export class BsfnetError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** Malformed input data: names the source (file or "array"), and the 1-based row and column where known. */
export class DataError extends BsfnetError {
  readonly file?: string;
  readonly row?: number;
  readonly column?: number | string;
  constructor(message: string, where: { file?: string; row?: number; column?: number | string } = {}) {
    const parts: string[] = [];
    if (where.file !== undefined) parts.push(where.file);
    if (where.row !== undefined) parts.push(`row ${where.row}`);
    if (where.column !== undefined) parts.push(`column ${where.column}`);
    super(parts.length ? `${parts.join(", ")}: ${message}` : message);
    this.file = where.file;
    this.row = where.row;
    this.column = where.column;
  }
}

/** A tensor whose shape does not fit the model or layer it was given to. */
export class ShapeError extends BsfnetError {
  readonly layer?: string;
  constructor(message: string, layer?: string) {
    super(layer ? `layer ${layer}: ${message}` : message);
    this.layer = layer;
  }
}

/** A configuration that cannot work (unknown option, out-of-range value, use before compile). */
export class ConfigError extends BsfnetError {}

/** Training produced a non-finite loss or weights. */
export class DivergenceError extends BsfnetError {
  readonly epoch: number;
  readonly step: number;
  constructor(message: string, epoch: number, step: number) {
    super(message);
    this.epoch = epoch;
    this.step = step;
  }
}

/** The wasm module is missing, not a bsfnet module, or lacks a kernel. */
export class WasmLoadError extends BsfnetError {}

/** A model file that is truncated, corrupt, hostile or of an unknown version. */
export class ModelFileError extends BsfnetError {
  readonly file?: string;
  constructor(message: string, file?: string) {
    super(file ? `${file}: ${message}` : message);
    this.file = file;
  }
}
