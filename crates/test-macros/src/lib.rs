//! `#[db_test]` turns one `async fn name(app: TestApp)` into two tests, `name::sqlite` and
//! `name::postgres`, each running the function against a fresh server on that database.
//!
//! Being an attribute on an ordinary function (not a macro around it), the test body stays
//! code that rustfmt formats and rust-analyzer understands.
//!
//! ```ignore
//! #[db_test]
//! async fn signup_works(app: TestApp) { … }
//!
//! #[db_test(Options { auth_rate_limit: 3, ..Default::default() })]
//! async fn limited(app: TestApp) { … }
//! ```
//!
//! When the crate is built with `TEST_DATABASE_URL=skip`, its build script sets the
//! `pg_skipped` cfg and the PostgreSQL variants are marked `#[ignore]`: the test run then
//! reports them as ignored, never as passed.

use proc_macro::TokenStream;
use quote::quote;
use syn::{Expr, ItemFn, parse_macro_input};

#[proc_macro_attribute]
pub fn db_test(attr: TokenStream, item: TokenStream) -> TokenStream {
    let options: Option<Expr> = if attr.is_empty() {
        None
    } else {
        Some(parse_macro_input!(attr as Expr))
    };
    let func = parse_macro_input!(item as ItemFn);
    if func.sig.asyncness.is_none() || func.sig.inputs.len() != 1 {
        return syn::Error::new_spanned(
            &func.sig,
            "#[db_test] takes `async fn name(app: TestApp)`",
        )
        .to_compile_error()
        .into();
    }
    let name = &func.sig.ident;
    let options = match options {
        Some(o) => quote!(#o),
        None => quote!(crate::harness::Options::default()),
    };
    quote! {
        #func

        mod #name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                crate::harness::run(crate::harness::Backend::Sqlite, #options, super::#name).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            #[cfg_attr(pg_skipped, ignore = "TEST_DATABASE_URL=skip: the PostgreSQL run is skipped")]
            async fn postgres() {
                crate::harness::run(crate::harness::Backend::Postgres, #options, super::#name).await
            }
        }
    }
    .into()
}
