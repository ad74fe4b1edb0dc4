//! `dispatch!`: from a runtime op code to a function monomorphized for that op.

/// `dispatch!(op, run(args...), [A, B, ...])` calls `run::<A>(args...)` when `op == A`, and
/// so on, and panics on an unknown code. Each op then gets its own loop, in which the op's
/// `match` on its const code is resolved at compile time.
macro_rules! dispatch {
    ($op:expr, $run:ident $args:tt, [$($code:ident),+ $(,)?]) => {
        match $op {
            $($code => $run::<$code> $args,)+
            _ => panic!(concat!(stringify!($run), ": unknown op")),
        }
    };
}
