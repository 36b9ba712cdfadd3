//! Settings of glibc's allocator for a long-running burg, and giving
//! freed memory back to the system after a large piece of work. Both do
//! nothing on other C libraries.
//!
//! An import allocates many large, short-lived buffers (statements, batches
//! of events) between long-lived blocks that grow with an organization
//! (its transaction's sequences, its duplicate checks). glibc raises its
//! `mmap` threshold (128 KiB at first, up to 32 MiB) each time a mapped
//! block is freed, so after a while those buffers come from the heap, and
//! what is freed between long-lived blocks stays resident. Measured with the
//! transfer benchmark (BENCHMARKS.md), peak RSS of an import of 100k users
//! on SQLite: 55 MB, 47 MB with the fixed threshold, 42 MB when free pages
//! are also given back after each organization; speed unchanged.

/// Fixes glibc's `mmap` threshold at 64 KiB, so that large buffers are
/// mapped and given back when freed. Call it first thing in `main`.
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[allow(unsafe_code)]
    // SAFETY: mallopt takes glibc's own locks and only changes parameters;
    // it has no memory-safety preconditions.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, 64 * 1024);
        libc::mallopt(libc::M_TRIM_THRESHOLD, 128 * 1024);
    }
}

/// Gives the free pages of every allocator arena back to the system; the
/// import calls it after each organization.
pub(crate) fn give_back() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[allow(unsafe_code)]
    // SAFETY: malloc_trim takes glibc's own locks; it has no memory-safety
    // preconditions.
    unsafe {
        libc::malloc_trim(0);
    }
}
