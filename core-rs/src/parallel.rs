//! The seam through which kernels split their work over threads.
//!
//! A kernel describes its work as `n` independent items (rows, panels, chunks) and a
//! body that processes a half-open range of them. Thread `t` of `T` always gets items
//! `n*t/T .. n*(t+1)/T`, and a body must compute each item the same way whatever range
//! it is in (reductions combine partial results in a fixed order), so that results are
//! bitwise identical for any thread count.
//!
//! Single-threaded builds run the body once over everything. The threaded build
//! (`+atomics`, one shared memory, one wasm instance per thread) keeps a job
//! descriptor in shared memory: the calling thread publishes a job and bumps a
//! sequence number, sleeping workers (`worker_loop`) wake, run their share, and
//! count down a pending counter the caller waits on. No JS runs on this path.
//!
//! The pool's entry points (`worker_loop`, `set_threads`, ...) exist in every build, as
//! no-ops without threads, so that all three builds export the same ABI (`exports.rs`).

/// Elements (floats) a thread must get before a memory-bound pass (elementwise ops,
/// reductions, copies, gather) is split: below this, splitting costs more than it saves.
/// Waking a worker costs about a microsecond, but the operands were last written by the
/// calling core, so a worker first pulls its share's cache lines across. `bench/threads.ts`
/// (break-even table, 2 threads, split forced) measured relu, bias-add and row sums paying
/// only from 2^18..2^20 elements across runs on this 2-core machine, so the pass splits from
/// 2^19 (2^18 per thread). Kernels that do more per element (softmax, losses) set their own.
pub const MIN_ELEMS_PER_THREAD: usize = 1 << 18;

/// A raw pointer that may be shared with the bodies of `parallel_for`.
/// Safety rests on each body writing a disjoint range.
pub struct SendPtr<T>(pub *mut T);
// By hand: derived impls would ask T to be Copy too.
impl<T> Clone for SendPtr<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for SendPtr<T> {}
unsafe impl<T> Send for SendPtr<T> {}
unsafe impl<T> Sync for SendPtr<T> {}
impl<T> SendPtr<T> {
    /// Wraps a pointer the bodies only read through.
    #[inline(always)]
    pub fn of(p: *const T) -> SendPtr<T> {
        SendPtr(p as *mut T)
    }
    #[inline(always)]
    pub fn get(self) -> *mut T {
        self.0
    }
}

/// The range of items thread `t` of `threads` owns.
#[inline(always)]
pub fn partition(n: usize, t: usize, threads: usize) -> (usize, usize) {
    // u64 so that n * t cannot overflow on wasm32.
    let start = (n as u64 * t as u64 / threads as u64) as usize;
    let end = (n as u64 * (t as u64 + 1) / threads as u64) as usize;
    (start, end)
}

#[cfg(not(target_feature = "atomics"))]
mod imp {
    #[inline]
    pub fn parallel_for(n: usize, _min_items: usize, body: &(dyn Fn(usize, usize) + Sync)) {
        if n > 0 {
            body(0, n);
        }
    }

    // The pool's entry points, for an ABI shared with the threaded build: there are no
    // workers to run, count or stop.
    pub unsafe fn worker_loop(_index: usize, _seen_seq: i32) {}
    pub fn worker_trapped(_index: usize) -> i32 {
        0
    }
    pub fn set_threads(_n: usize) {}
    pub fn ready_workers() -> u32 {
        0
    }
    pub fn pool_seq() -> i32 {
        0
    }
    pub fn pool_shutdown(_timeout_ms: u32) -> u32 {
        0
    }
    pub fn pool_recover() {}
    pub fn set_force_split(_on: bool) {}
}

#[cfg(target_feature = "atomics")]
mod imp {
    use super::partition;
    use core::arch::wasm32::{memory_atomic_notify, memory_atomic_wait32};
    use core::sync::atomic::{AtomicBool, AtomicI32, AtomicU32, AtomicUsize, Ordering::*};

    /// Most threads a pool may have (the caller included).
    pub const MAX_THREADS: usize = 64;

    // The job descriptor and pool state, in shared memory (statics live there).
    /// The job sequence number, a seqlock: odd while the caller writes the descriptor,
    /// even once it is complete. A worker that was not part of the previous job may
    /// still be reading when the next one is published; it checks that SEQ did not
    /// move while it read the fields, and otherwise reads again.
    static SEQ: AtomicI32 = AtomicI32::new(0);
    static PENDING: AtomicI32 = AtomicI32::new(0);
    static JOB_DATA: AtomicUsize = AtomicUsize::new(0);
    static JOB_VTABLE: AtomicUsize = AtomicUsize::new(0);
    static JOB_N: AtomicUsize = AtomicUsize::new(0);
    static JOB_THREADS: AtomicUsize = AtomicUsize::new(1);
    /// Threads kernels may use (caller included), set from JS; 1 until workers are up.
    static THREADS: AtomicUsize = AtomicUsize::new(1);
    /// Set while a job runs: a `parallel_for` nested in a body runs inline.
    static IN_JOB: AtomicBool = AtomicBool::new(false);
    /// Set by a worker's JS when its share trapped; the caller turns it into a trap.
    static WORKER_FAILED: AtomicI32 = AtomicI32::new(0);
    static SHUTDOWN: AtomicI32 = AtomicI32::new(0);
    static READY_WORKERS: AtomicU32 = AtomicU32::new(0);
    /// Workers asleep in (or about to enter) an atomic wait on SEQ. `publish` notifies only
    /// when there are some: while the workers spin, a dispatch makes no notify call (each
    /// is a trip through the engine's futex table, a lock and a list walk).
    static SLEEPING_WORKERS: AtomicI32 = AtomicI32::new(0);
    /// Set while the caller sleeps on PENDING, so that the last worker notifies only then.
    static CALLER_SLEEPING: AtomicI32 = AtomicI32::new(0);
    /// A bench hook (`bench/threads.ts`): split every job as far as the thread count allows,
    /// whatever its `min_items`, to measure where splitting starts to pay.
    static FORCE_SPLIT: AtomicBool = AtomicBool::new(false);

    /// Spins this many rounds before sleeping: an empty dispatch round trip is then
    /// about a microsecond instead of ~25 µs for a futex wake (toolchain.md figures).
    const SPIN: u32 = 20_000;
    /// A worker spins this many rounds after a job before it sleeps (one atomic load a
    /// round: on the order of a millisecond). A training step runs its threaded kernels a
    /// few hundred microseconds apart, and a worker woken from sleep for each (a futex
    /// wake, then its own wake-up latency) made the split kernels no faster than one
    /// thread. Measured on the Fashion-MNIST MLP step (bench/step.ts, idle 2 cores): with
    /// 20,000 rounds the step's fixed cost was 159-178 µs on 2 threads (as on 1); with
    /// 400,000 it is 108-121 µs. The price is a core kept busy for that long after the
    /// last job, as OpenMP runtimes do (for 200 ms by default).
    const WORKER_SPIN: u32 = 400_000;

    /// A worker's wait for SEQ to leave `value`: spin, then sleep. Sleeping is announced
    /// in SLEEPING_WORKERS before SEQ is read again (all SeqCst): either `publish` sees
    /// the count and notifies, or this read sees the new SEQ and does not sleep.
    fn wait_while_eq(cell: &AtomicI32, value: i32) {
        let mut spins = 0;
        while cell.load(SeqCst) == value {
            if spins < WORKER_SPIN {
                spins += 1;
                core::hint::spin_loop();
            } else {
                SLEEPING_WORKERS.fetch_add(1, SeqCst);
                if cell.load(SeqCst) == value {
                    unsafe { memory_atomic_wait32(cell.as_ptr(), value, -1) };
                }
                SLEEPING_WORKERS.fetch_sub(1, SeqCst);
            }
        }
    }

    pub fn set_force_split(on: bool) {
        FORCE_SPLIT.store(on, SeqCst);
    }

    type Body<'a> = &'a (dyn Fn(usize, usize) + Sync);

    pub fn parallel_for(n: usize, min_items: usize, body: Body) {
        if n == 0 {
            return;
        }
        let max_useful = if min_items == 0 || FORCE_SPLIT.load(Relaxed) {
            n
        } else {
            (n / min_items).max(1)
        };
        let threads = THREADS.load(Relaxed).min(max_useful).min(n);
        if threads <= 1 || IN_JOB.load(Relaxed) {
            body(0, n);
            return;
        }
        // A previous job whose caller trapped may still be finishing on the workers.
        wait_pending_zero();
        IN_JOB.store(true, Relaxed);
        WORKER_FAILED.store(0, Relaxed);
        // The fat pointer travels as two words; every instance shares the code and its
        // function table, so the vtable's indices mean the same on every thread.
        let (data, vtable): (usize, usize) = unsafe { core::mem::transmute(body) };
        PENDING.store(threads as i32 - 1, Relaxed);
        publish(data, vtable, n, threads);

        let (s, e) = partition(n, 0, threads);
        if s < e {
            body(s, e);
        }
        wait_pending_zero();
        IN_JOB.store(false, Relaxed);
        if WORKER_FAILED.load(Acquire) != 0 {
            panic!("a kernel trapped on a worker thread");
        }
    }

    fn wait_pending_zero() {
        loop {
            let p = PENDING.load(Acquire);
            if p == 0 {
                return;
            }
            let mut spins = 0;
            while PENDING.load(Acquire) == p && spins < SPIN {
                spins += 1;
                core::hint::spin_loop();
            }
            // As in `wait_while_eq`: announce the sleep, then look again.
            CALLER_SLEEPING.store(1, SeqCst);
            if PENDING.load(SeqCst) == p {
                unsafe { memory_atomic_wait32(PENDING.as_ptr(), p, -1) };
            }
            CALLER_SLEEPING.store(0, SeqCst);
        }
    }

    /// Writes the job descriptor under the seqlock and wakes the workers.
    fn publish(data: usize, vtable: usize, n: usize, threads: usize) {
        SEQ.fetch_add(1, AcqRel); // odd: being written
        JOB_DATA.store(data, Relaxed);
        JOB_VTABLE.store(vtable, Relaxed);
        JOB_N.store(n, Relaxed);
        JOB_THREADS.store(threads, Relaxed);
        SEQ.fetch_add(1, SeqCst); // even: complete
        if SLEEPING_WORKERS.load(SeqCst) != 0 {
            unsafe { memory_atomic_notify(SEQ.as_ptr(), u32::MAX) };
        }
    }

    fn finish_share() {
        if PENDING.fetch_sub(1, SeqCst) == 1 && CALLER_SLEEPING.load(SeqCst) != 0 {
            unsafe { memory_atomic_notify(PENDING.as_ptr(), 1) };
        }
    }

    /// The loop each worker instance runs (`index` >= 1). Returns when the pool shuts down.
    /// If a body traps, the worker's JS calls `worker_trapped` and re-enters the loop with
    /// the sequence number it had seen, so the failed job is not run twice.
    pub unsafe fn worker_loop(index: usize, seen_seq: i32) {
        READY_WORKERS.fetch_add(1, AcqRel);
        let mut seen = seen_seq;
        loop {
            wait_while_eq(&SEQ, seen);
            let seq = SEQ.load(Acquire);
            if seq & 1 != 0 {
                // The caller is writing the next descriptor: a few stores away.
                core::hint::spin_loop();
                continue;
            }
            if SHUTDOWN.load(Acquire) != 0 {
                READY_WORKERS.fetch_sub(1, AcqRel);
                unsafe { memory_atomic_notify(READY_WORKERS.as_ptr() as *mut i32, u32::MAX) };
                return;
            }
            let threads = JOB_THREADS.load(Relaxed);
            let (data, vtable, n) = (JOB_DATA.load(Relaxed), JOB_VTABLE.load(Relaxed), JOB_N.load(Relaxed));
            if SEQ.load(Acquire) != seq {
                // A newer job was published while we read: these fields may mix two jobs.
                continue;
            }
            seen = seq;
            if index < threads {
                LAST_SEEN[index].store(seen, Relaxed);
                let body: Body = core::mem::transmute((data, vtable));
                let (s, e) = partition(n, index, threads);
                if s < e {
                    body(s, e);
                }
                finish_share();
            }
        }
    }

    static LAST_SEEN: [AtomicI32; MAX_THREADS] = [const { AtomicI32::new(0) }; MAX_THREADS];

    /// Called by a worker's JS after its share trapped: marks the job failed and counts
    /// the share as done so the caller never deadlocks. Returns the sequence number to
    /// resume `worker_loop` with.
    pub fn worker_trapped(index: usize) -> i32 {
        READY_WORKERS.fetch_sub(1, AcqRel);
        WORKER_FAILED.store(1, Release);
        finish_share();
        LAST_SEEN[index.min(MAX_THREADS - 1)].load(Relaxed)
    }

    /// Sets how many threads kernels use (caller included), clamped to [1, MAX_THREADS].
    pub fn set_threads(n: usize) {
        wait_pending_zero();
        THREADS.store(n.clamp(1, MAX_THREADS), Relaxed);
    }

    pub fn ready_workers() -> u32 {
        READY_WORKERS.load(Acquire)
    }

    /// The current sequence number, for a worker about to enter its loop.
    pub fn pool_seq() -> i32 {
        SEQ.load(Acquire)
    }

    /// Wakes every worker, makes its loop return, and waits (up to about `timeout_ms`)
    /// until all have left, then re-arms the pool for new workers. Returns how many
    /// workers had not left in time (0 normally).
    pub fn pool_shutdown(timeout_ms: u32) -> u32 {
        wait_pending_zero();
        THREADS.store(1, Relaxed);
        SHUTDOWN.store(1, Release);
        // A job no worker takes part in: a worker that wakes after SHUTDOWN is cleared
        // below finds nothing to run.
        publish(0, 0, 0, 1);
        let cell = unsafe { &*(READY_WORKERS.as_ptr() as *const AtomicI32) };
        for _ in 0..timeout_ms {
            let left = cell.load(Acquire);
            if left == 0 {
                break;
            }
            unsafe { memory_atomic_wait32(cell.as_ptr(), left, 1_000_000) };
        }
        // Workers that did not leave in time are terminated by the JS side; either way
        // the pool starts afresh.
        let left = READY_WORKERS.swap(0, AcqRel);
        SHUTDOWN.store(0, Release);
        left
    }

    /// Called from JS after a kernel trapped on the calling thread: lets the workers
    /// finish their shares of the interrupted job and clears the job state.
    pub fn pool_recover() {
        wait_pending_zero();
        IN_JOB.store(false, Relaxed);
        WORKER_FAILED.store(0, Relaxed);
    }
}

pub use imp::*;

/// A parallel job over `n` items whose body traps on item `bad` and writes 1.0 to `out[i]`
/// for every other item `i` (a test hook: a trap on any thread must reach the caller and
/// leave the pool usable). out is (n).
pub unsafe fn trap_on_item(n: usize, bad: usize, out: *mut f32) {
    let out = SendPtr(out);
    parallel_for(n, 1, &|start, end| {
        for i in start..end {
            if i == bad {
                panic!("trap_on_item: the item asked to trap");
            }
            unsafe { *out.get().add(i) = 1.0 };
        }
    });
}

/// Writes `out[i] = i` with the work split over the pool (a test hook). out is (n).
pub unsafe fn fill_indices(n: usize, out: *mut f32) {
    let out = SendPtr(out);
    parallel_for(n, 1, &|start, end| {
        for i in start..end {
            unsafe { *out.get().add(i) = i as f32 };
        }
    });
}
