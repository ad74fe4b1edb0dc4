//! Ferrite's core: every tensor kernel and its backward pass, for wasm32.
//!
//! `#![no_std]` with `alloc`, no crate dependencies. Each kernel module holds
//! `<op>_forward`, `<op>_backward` and a naive reference side by side, written once
//! against the small vector layer in `simd.rs`, so the same source builds
//! `ferrite-simd.wasm` (+simd128) and `ferrite-scalar.wasm`.
//!
//! ABI: every export is `extern "C"`, takes raw pointers (byte offsets into linear
//! memory) and sizes, and is named `fe_<kernel>`. The TypeScript side allocates with
//! `fe_alloc`/`fe_free` and views memory with typed arrays.
#![no_std]
#![cfg_attr(target_feature = "atomics", feature(stdarch_wasm_atomic_wait))]
#![allow(clippy::missing_safety_doc, clippy::too_many_arguments)]

extern crate alloc;

pub mod activation;
pub mod batchnorm;
pub mod conv;
pub mod elementwise;
pub mod gather;
pub mod gemm;
pub mod heap;
pub mod loss;
pub mod math;
pub mod optimizer;
pub mod parallel;
pub mod pool;
pub mod random;
pub mod reduce;
pub mod sampling;
pub mod simd;
pub mod softmax;
pub mod strided;
pub mod unary;

#[cfg(target_arch = "wasm32")]
#[panic_handler]
fn panic(_info: &core::panic::PanicInfo) -> ! {
    // A panic is a bug in a kernel or a bad argument that slipped past the TS checks:
    // trap so that the JS caller gets a RuntimeError instead of corrupted memory.
    core::arch::wasm32::unreachable()
}

/// Which build this is, so that the TS side can name it: bit 0 SIMD128, bit 1 threads.
#[no_mangle]
pub extern "C" fn fe_build_flavor() -> u32 {
    (cfg!(target_feature = "simd128") as u32) | ((cfg!(target_feature = "atomics") as u32) << 1)
}
