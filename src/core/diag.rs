//! Diagnostics: the errors and warnings feedwright reports about a site's input.
//!
//! Every problem is a `Diagnostic` that prints as `path:line: error|warning: message`,
//! the shape editors and CI logs already know how to link to.

use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a problem is: an error keeps a post (or the config) out; a warning never does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem found in one input file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
pub struct Diagnostic {
    pub path: PathBuf,
    /// 1-based line number; 0 when the problem concerns the whole file.
    pub line: usize,
    pub severity: Severity,
    pub message: String,
}

impl Diagnostic {
    pub fn error(path: impl AsRef<Path>, line: usize, message: impl Into<String>) -> Self {
        Self::new(path, line, Severity::Error, message)
    }

    pub fn warning(path: impl AsRef<Path>, line: usize, message: impl Into<String>) -> Self {
        Self::new(path, line, Severity::Warning, message)
    }

    fn new(path: impl AsRef<Path>, line: usize, severity: Severity, message: impl Into<String>) -> Self {
        Diagnostic { path: path.as_ref().to_path_buf(), line, severity, message: message.into() }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{}:{}: {}: {}", self.path.display(), self.line.max(1), kind, self.message)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_like_a_compiler() {
        let d = Diagnostic::error("content/post/a.md", 3, "missing `date`");
        assert_eq!(d.to_string(), "content/post/a.md:3: error: missing `date`");
        let w = Diagnostic::warning("feedwright.yaml", 0, "unknown key");
        assert_eq!(w.to_string(), "feedwright.yaml:1: warning: unknown key");
    }
}
