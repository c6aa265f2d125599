//! The site's own scripts (`public/mss.js`, `public/desk.js`) under names carrying their
//! content's hash (`/mss.3f2a9c01d2e4b5a6.js`), so browsers keep them a year and a new version
//! is simply a new name. cargo-leptos hashes the wasm, its JS and the stylesheet itself
//! (`hash-files`); these two it copies as they are. Served precompressed (brotli, gzip) when the
//! build wrote `.br`/`.gz` beside them (`--precompress`).
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

/// The scripts the shell loads from the site root.
pub const SCRIPTS: [&str; 2] = ["mss.js", "desk.js"];

#[derive(Debug, Default)]
pub struct Assets {
    /// (plain name, its hashed URL, its file on disk).
    hashed: Vec<(&'static str, String, PathBuf)>,
}

impl Assets {
    /// Hashes the scripts found in `site_root` (a build without them, as in tests, keeps the
    /// plain names).
    pub fn load(site_root: &Path) -> Assets {
        let hashed = SCRIPTS
            .into_iter()
            .filter_map(|name| {
                let file = site_root.join(name);
                let bytes = std::fs::read(&file).ok()?;
                let digest = hex::encode(&Sha256::digest(&bytes)[..8]);
                let (stem, extension) = name.rsplit_once('.')?;
                Some((name, format!("/{stem}.{digest}.{extension}"), file))
            })
            .collect();
        Assets { hashed }
    }

    /// Where the page loads `name` from.
    pub fn url(&self, name: &str) -> String {
        self.hashed
            .iter()
            .find(|(plain, _, _)| *plain == name)
            .map(|(_, url, _)| url.clone())
            .unwrap_or_else(|| format!("/{name}"))
    }

    /// The routes to serve: each hashed URL and its file.
    pub fn routes(&self) -> impl Iterator<Item = (&str, &Path)> {
        self.hashed
            .iter()
            .map(|(_, url, file)| (url.as_str(), file.as_path()))
    }
}

/// Whether `path` names a file by its content (`/pkg/mss.<hash>.wasm`, a wasm chunk, the chunks'
/// loader `/pkg/__wasm_split.<hash>.js`, `/mss.<hash>.js`): it never changes, so it may be kept a
/// year. Not the wasm's own JS (`/pkg/mss.<hash>.js`): cargo-leptos names it before it writes the
/// chunk loader's name into it, so one name can hold a newer loader; it is revalidated instead.
pub fn is_hashed(path: &str) -> bool {
    let (folder, name) = path.rsplit_once('/').unwrap_or_default();
    let parts: Vec<&str> = name.split('.').collect();
    let named_after_content = parts.len() >= 3 && {
        let hash = parts[parts.len() - 2];
        hash.len() >= 16
            && hash
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    };
    let bindgen_js =
        !folder.is_empty() && name.ends_with(".js") && !name.starts_with("__wasm_split.");
    named_after_content && !bindgen_js
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashed_names_are_told_from_plain_ones() {
        assert!(is_hashed("/pkg/mss.kZ3-x_9QqLw2Vf0a1B2c3D.wasm"));
        assert!(is_hashed("/mss.3f2a9c01d2e4b5a6.js"));
        assert!(is_hashed("/pkg/__wasm_split.kZ3-x_9QqLw2Vf0a1B2c3D.js"));
        assert!(is_hashed(
            "/pkg/split_QueueRoute.kZ3-x_9QqLw2Vf0a1B2c3D.wasm"
        ));
        assert!(
            !is_hashed("/pkg/mss.kZ3-x_9QqLw2Vf0a1B2c3D.js"),
            "its name is older than its content"
        );
        assert!(!is_hashed("/mss.js"));
        assert!(!is_hashed("/pkg/mss.css"));
        assert!(!is_hashed("/favicon.ico"));
        assert!(!is_hashed("/admin/users/zhao.li"));
        assert!(!is_hashed("/incidents/MSS-20261124-0001"));
    }

    #[test]
    fn scripts_get_names_by_their_content() {
        let dir = std::env::temp_dir().join(format!("mss-assets-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("mss.js"), b"console.log(1)").unwrap();
        let assets = Assets::load(&dir);
        let url = assets.url("mss.js");
        assert!(
            url.starts_with("/mss.") && url.ends_with(".js") && is_hashed(&url),
            "{url}"
        );
        assert_eq!(assets.url("desk.js"), "/desk.js", "missing: the plain name");
        std::fs::write(dir.join("mss.js"), b"console.log(2)").unwrap();
        assert_ne!(
            Assets::load(&dir).url("mss.js"),
            url,
            "new content, new name"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
