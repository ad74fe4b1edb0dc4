//! A tensor seen around one axis as (outer, n, inner), the layout of reductions, softmax
//! and gather: `n` is the axis, `outer` the product of the dims before it and `inner` of
//! those after. Work splits over outer rows or over blocks of inner columns, never along
//! the axis, so whatever is computed along it (a sum, a max) has the same order on any
//! number of threads.

use crate::parallel::parallel_for;

#[derive(Clone, Copy)]
pub struct Axis {
    pub outer: usize,
    pub n: usize,
    pub inner: usize,
}

impl Axis {
    /// Whether the tensor is empty once the axis is taken out.
    #[inline(always)]
    pub fn no_outputs(&self) -> bool {
        self.outer == 0 || self.inner == 0
    }

    /// Calls `row(o)` for each of the `outer` rows of n contiguous floats (inner = 1), split
    /// over threads that each get at least `grain` elements.
    #[inline(always)]
    pub fn for_each_row(&self, grain: usize, row: impl Fn(usize) + Sync) {
        parallel_for(self.outer, (grain / self.n.max(1)).max(1), &|o0, o1| {
            for o in o0..o1 {
                row(o)
            }
        });
    }

    /// Calls `cols(o, j0, j1)` for each block of `block` columns j0..j1 (the last one may be
    /// narrower) of each (n, inner) slab o, split over threads that each get at least `grain`
    /// elements.
    #[inline(always)]
    pub fn for_each_column_block(&self, block: usize, grain: usize, cols: impl Fn(usize, usize, usize) + Sync) {
        let blocks = self.inner.div_ceil(block);
        let per_item = self.n * block.min(self.inner);
        parallel_for(self.outer * blocks, (grain / per_item.max(1)).max(1), &|i0, i1| {
            for item in i0..i1 {
                let (o, b) = (item / blocks, item % blocks);
                cols(o, b * block, ((b + 1) * block).min(self.inner))
            }
        });
    }
}
