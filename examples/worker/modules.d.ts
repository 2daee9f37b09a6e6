declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}
declare module "*.bsfnet" {
  const data: ArrayBuffer;
  export default data;
}
