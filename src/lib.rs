//! charte: the document-workflow engine of a Belgian social-coordination network.

pub mod render;
pub mod seal;
