// The modules of ctg that read untrusted text, compiled into the fuzz targets by
// path. The ctg crate itself links the Typst compiler, whose build with the
// sanitizer's coverage instrumentation takes a long time; these modules do not
// need it (validation reads the fonts' coverage from `fonts`, below the
// renderer). Their `crate::…` paths resolve here, since this file is included at
// each target's crate root.

#[path = "../../src/diag.rs"]
pub mod diag;
#[path = "../../src/fonts.rs"]
pub mod fonts;
#[path = "../../src/french.rs"]
pub mod french;
#[path = "../../src/read/mod.rs"]
pub mod read;
#[path = "../../src/text/mod.rs"]
pub mod text;
#[path = "../../src/model/mod.rs"]
pub mod model;
#[path = "../../src/validate/mod.rs"]
pub mod validate;
