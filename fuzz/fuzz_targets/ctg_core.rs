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
#[path = "../../src/load.rs"]
pub mod load;
#[path = "../../src/logos.rs"]
pub mod logos;
#[path = "../../src/model.rs"]
pub mod model;
#[path = "../../src/review.rs"]
pub mod review;
#[path = "../../src/shape.rs"]
pub mod shape;
#[path = "../../src/source.rs"]
pub mod source;
#[path = "../../src/text/mod.rs"]
pub mod text;
