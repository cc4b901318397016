//! STUB of the lead's accounts (replaced at the merge).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Coordinator,
    Committee,
}
