//! GitHub Actions subset of the sandbox (in progress).
