// Scalar float64 references for the matrix products (row-major).

/** C[M,N] = (accumulate ? C : 0) + A[M,K] @ B[K,N] */
export function gemmNN(
  c: Float64Array | Float32Array,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  M: number,
  K: number,
  N: number,
  accumulate: boolean,
): void {
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += a[i * K + k] * b[k * N + j];
      c[i * N + j] = (accumulate ? c[i * N + j] : 0) + s;
    }
}

/** C[M,N] = (accumulate ? C : 0) + A[M,K] @ B[N,K]^T */
export function gemmNT(
  c: Float64Array | Float32Array,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  M: number,
  K: number,
  N: number,
  accumulate: boolean,
): void {
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += a[i * K + k] * b[j * K + k];
      c[i * N + j] = (accumulate ? c[i * N + j] : 0) + s;
    }
}

/** C[M,N] = (accumulate ? C : 0) + A[K,M]^T @ B[K,N] */
export function gemmTN(
  c: Float64Array | Float32Array,
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  M: number,
  K: number,
  N: number,
  accumulate: boolean,
): void {
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += a[k * M + i] * b[k * N + j];
      c[i * N + j] = (accumulate ? c[i * N + j] : 0) + s;
    }
}
