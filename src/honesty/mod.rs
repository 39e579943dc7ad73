//! Honesty check: does a passing intent pass because of the prototype?
//!
//! In: the model-owned files and the parsed intents. Out: an instrumented
//! copy of the prototype in which mutants can be switched on at run time
//! ([`mutants`]), and twins of an intent whose `Then` steps expect another
//! value ([`twins`]). An intent is verified when some mutant of the code its
//! steps reach makes it fail and every twin of it fails. What must not
//! happen here: building or running anything, or writing files.

pub mod check;
pub mod mutants;
pub mod twins;
