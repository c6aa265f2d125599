//! Generates the typed `i18n` module from `locales/*.json` (leptos_i18n), so a missing or
//! misspelt key is a compile error, in both builds.
use leptos_i18n_build::{Config, ParseOptions, TranslationsInfos};
use std::path::PathBuf;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-changed=Cargo.toml");
    // `sqlx::migrate!` embeds the migrations; on stable Rust only this makes a new one rebuild.
    println!("cargo::rerun-if-changed=../migrations");
    let Some(out_dir) = std::env::var_os("OUT_DIR") else {
        panic!("cargo sets OUT_DIR for build scripts");
    };
    // Simplified Chinese first; English when the browser or the switch asks for it.
    let config = Config::new("zh-CN")
        .and_then(|c| c.add_locale("en"))
        .map(|mut c| {
            // Lets `t_string!`/`td_string!` fill in values (counts, names, error refs).
            c.options = ParseOptions::new().interpolate_display(true);
            c
        });
    let infos = match config.and_then(TranslationsInfos::parse) {
        Ok(infos) => infos,
        Err(e) => panic!("could not read the locale files: {e}"),
    };
    infos.emit_diagnostics();
    infos.rerun_if_locales_changed();
    if let Err(e) = infos.generate_i18n_module(PathBuf::from(out_dir).join("i18n")) {
        panic!("could not generate the i18n module: {e}");
    }
}
