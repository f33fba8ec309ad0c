//! Memory of a long-running daemon. Each cycle parses and diffs in a blocking worker thread,
//! and glibc keeps a separate allocation arena per thread: the freed memory of a large parse
//! stays in that thread's arena, so the resident size climbed cycle after cycle (measured:
//! 60 → 259 MiB over eight forced re-parses of the OFAC list). The binary runs with one
//! arena ([`one_arena`]) and returns the free pages after each cycle ([`release`]).

/// One allocation arena for every thread, unless `MALLOC_ARENA_MAX` says otherwise; to be
/// called before any thread starts. Returning free pages after each cycle is not enough: the
/// freed memory of each blocking worker's own arena stays fragmented, and over 50 forced
/// re-parses of the OFAC list the resident size still climbed 24 → 35 MiB (two arenas:
/// 24 → 30); with one it is 20 → 21, peak 55 MiB instead of 77, for the same CPU time
/// (`cargo bench --bench cycle -- rss 50`). A cycle's work is one thread's at a time,
/// and each thread keeps its own cache of small blocks, so one arena costs no contention here.
pub fn one_arena() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: mallopt only sets the allocator's parameter; it takes no pointers.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, 1);
        }
    }
}

/// Returns free heap memory of every arena to the system (glibc's `malloc_trim`); nothing
/// elsewhere, where there is no such call.
pub fn release() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks the allocator's own free lists; it takes no pointers.
    unsafe {
        libc::malloc_trim(0);
    }
}
