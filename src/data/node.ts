// Node-only entry of the data layer: everything portable plus file reading.
export * from "./index.js";
export { readCsv, readCsvSync } from "./csv-node.js";
