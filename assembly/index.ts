// The wasm module's export list. Every kernel takes byte offsets into linear memory and ints;
// nothing here allocates. Shapes are planned in TypeScript (src/runtime/arena.ts).
export * from "./rng";
export * from "./gemm";
export { gemm_workspace, gemm_workspace_bytes } from "./gemm_packed";
export * from "./dense";
export { dense_backward_train, dense_forward_train, dense_train_ws_bytes } from "./dense_cols";
export * from "./act";
export * from "./bsf";
export * from "./optim";
export * from "./util";
export * from "./conv";
export * from "./pool";
export * from "./dropout";
export * from "./bsf_position";
export * from "./loss";
export * from "./gates";
export * from "./reduce";
export * from "./normalize";
