// Where the parts of a kernel that threads compute apart begin and end (dense_forward_part's
// columns, conv2d_forward_part's tiles). Not exported from the module: a helper of those kernels.

/** Cut p of P over n units, rounded down to a multiple of `align` (a power of 2), n itself at p = P. */
@inline export function cut_at(n: i32, p: i32, P: i32, align: i32): i32 {
  return p >= P ? n : <i32>((<i64>n * <i64>p / <i64>P) & ~(<i64>align - 1));
}
