//! The global allocator: segregated free lists over `memory.grow`.
//!
//! Why not a general-purpose allocator: training allocates the same few tensor sizes
//! every step, so exact-class reuse serves nearly every request from a free list in
//! O(1), and the rounding (at most 25 % above 128 bytes) is a fair price. Blocks are
//! never split or merged. Every block is 16-byte aligned, which is what the SIMD
//! kernels need. A spin lock makes it safe for the threaded build, where workers
//! may allocate scratch space.

use core::alloc::{GlobalAlloc, Layout};
use core::sync::atomic::{AtomicBool, Ordering};

const ALIGN: usize = 16;
const NUM_CLASSES: usize = 8 + 4 * 26;

/// Returns (class index, class size in bytes) for a request of `size` bytes.
fn size_class(size: usize) -> (usize, usize) {
    let size = if size < ALIGN { ALIGN } else { size };
    if size <= 128 {
        let rounded = (size + ALIGN - 1) & !(ALIGN - 1);
        return (rounded / ALIGN - 1, rounded);
    }
    // size in (2^p, 2^(p+1)]: four classes 2^p + k * 2^(p-2), k = 1..4.
    let p = (usize::BITS - 1 - (size - 1).leading_zeros()) as usize;
    let step = 1usize << (p - 2);
    let k = (size - (1usize << p) + step - 1) / step;
    (8 + (p - 7) * 4 + (k - 1), (1usize << p) + k * step)
}

struct Heap {
    lock: AtomicBool,
    state: core::cell::UnsafeCell<HeapState>,
}

struct HeapState {
    free_heads: [usize; NUM_CLASSES],
    bump: usize,
    end: usize,
    bytes_in_use: usize,
}

unsafe impl Sync for Heap {}

static HEAP: Heap = Heap {
    lock: AtomicBool::new(false),
    state: core::cell::UnsafeCell::new(HeapState {
        free_heads: [0; NUM_CLASSES],
        bump: 0,
        end: 0,
        bytes_in_use: 0,
    }),
};

impl Heap {
    fn with<R>(&self, f: impl FnOnce(&mut HeapState) -> R) -> R {
        while self
            .lock
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            core::hint::spin_loop();
        }
        let r = f(unsafe { &mut *self.state.get() });
        self.lock.store(false, Ordering::Release);
        r
    }
}

#[cfg(target_arch = "wasm32")]
extern "C" {
    static __heap_base: u8;
}

impl HeapState {
    fn alloc(&mut self, size: usize) -> *mut u8 {
        // The largest class, 2^31 + 3 * 2^29 bytes; the next one (2^32) does not fit a
        // wasm32 usize, and wasm32 memory could not hold it anyway.
        if size > 0xE000_0000 {
            return core::ptr::null_mut();
        }
        let (class, class_size) = size_class(size);
        let head = self.free_heads[class];
        if head != 0 {
            // The first word of a free block links to the next free block of its class.
            self.free_heads[class] = unsafe { *(head as *const usize) };
            self.bytes_in_use += class_size;
            return head as *mut u8;
        }
        if self.bump == 0 {
            #[cfg(target_arch = "wasm32")]
            {
                let base = unsafe { &__heap_base as *const u8 as usize };
                self.bump = (base + ALIGN - 1) & !(ALIGN - 1);
                self.end = core::arch::wasm32::memory_size(0) * 65536;
            }
        }
        let start = self.bump;
        let Some(new_bump) = start.checked_add(class_size) else {
            return core::ptr::null_mut();
        };
        if new_bump > self.end {
            #[cfg(target_arch = "wasm32")]
            {
                let pages = (new_bump - self.end + 65535) / 65536;
                if core::arch::wasm32::memory_grow(0, pages) == usize::MAX {
                    return core::ptr::null_mut();
                }
                self.end += pages * 65536;
            }
            #[cfg(not(target_arch = "wasm32"))]
            return core::ptr::null_mut();
        }
        self.bump = new_bump;
        self.bytes_in_use += class_size;
        start as *mut u8
    }

    fn free(&mut self, ptr: *mut u8, size: usize) {
        let (class, class_size) = size_class(size);
        unsafe { *(ptr as *mut usize) = self.free_heads[class] };
        self.free_heads[class] = ptr as usize;
        self.bytes_in_use -= class_size;
    }
}

struct FerriteAlloc;

unsafe impl GlobalAlloc for FerriteAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.align() > ALIGN {
            return core::ptr::null_mut();
        }
        HEAP.with(|h| h.alloc(layout.size()))
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        HEAP.with(|h| h.free(ptr, layout.size()))
    }
}

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static GLOBAL: FerriteAlloc = FerriteAlloc;

/// Allocates `size` bytes, 16-byte aligned. Returns null when memory cannot grow.
pub fn alloc(size: usize) -> *mut u8 {
    HEAP.with(|h| h.alloc(size))
}

/// Frees a block from `alloc` (null is ignored); `size` must be the size it was allocated with.
pub unsafe fn free(ptr: *mut u8, size: usize) {
    if !ptr.is_null() {
        HEAP.with(|h| h.free(ptr, size))
    }
}

/// Bytes held by live blocks (after class rounding).
pub fn bytes_in_use() -> usize {
    HEAP.with(|h| h.bytes_in_use)
}

/// Scratch buffer of `len` f32 from the heap, freed on drop. Kernels use it for packing.
pub struct Scratch {
    ptr: *mut f32,
    len: usize,
}

impl Scratch {
    pub fn new(len: usize) -> Scratch {
        let ptr = alloc(len * 4) as *mut f32;
        if ptr.is_null() && len > 0 {
            panic!("out of memory");
        }
        Scratch { ptr, len }
    }
    #[inline(always)]
    pub fn ptr(&self) -> *mut f32 {
        self.ptr
    }
    pub fn as_mut_slice(&mut self) -> &mut [f32] {
        unsafe { core::slice::from_raw_parts_mut(self.ptr, self.len) }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        unsafe { free(self.ptr as *mut u8, self.len * 4) }
    }
}
