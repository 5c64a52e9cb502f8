//! The `Link` header of a paged GitHub list (RFC 8288).

/// The `rel="next"` URL of a `Link` header, if any.
pub fn next_link(link: &str) -> Option<String> {
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        let is_next = params
            .split(';')
            .any(|p| matches!(p.trim(), "rel=\"next\"" | "rel=next"));
        let url = url.trim().strip_prefix('<')?.strip_suffix('>')?;
        is_next.then(|| url.to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::next_link;

    #[test]
    fn github_next_link_is_found_among_rels() {
        let link = "<https://api.github.com/repositories/1/actions/runs/5/jobs?per_page=100&page=2>; rel=\"next\", \
                    <https://api.github.com/repositories/1/actions/runs/5/jobs?per_page=100&page=3>; rel=\"last\"";
        assert_eq!(
            next_link(link).as_deref(),
            Some("https://api.github.com/repositories/1/actions/runs/5/jobs?per_page=100&page=2")
        );
        assert_eq!(next_link("<https://x/a?page=1>; rel=\"prev\""), None);
        assert_eq!(next_link("garbage"), None);
    }
}
