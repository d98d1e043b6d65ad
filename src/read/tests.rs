use super::messages::{translate, unclosed_multiline};

#[test]
fn an_unclosed_text_over_several_lines_is_found_where_it_opens() {
    // Quotes in one-line texts and in comments do not count; a closed text
    // over several lines is read over, even ended by four quotes.
    let text = r#"a = 'x'
b = "c'''" # '''
d = '''
un
''''
e = """
f \""" """
g = '''
ouvert
"#;
    let (at, quotes) = unclosed_multiline(text).unwrap();
    assert_eq!(quotes, "'''");
    assert_eq!(&text[at.start..], "'''\nouvert\n");
    assert_eq!(unclosed_multiline("a = '''\nx\n'''\nb = 1\n"), None);
    assert_eq!(unclosed_multiline("a = \"é\\\"\"\nb = 'ü'\n"), None);
    assert_eq!(
        unclosed_multiline("a = \"\"\"\nx\n"),
        Some((4..7, "\"\"\""))
    );
}

#[test]
fn unknown_key_suggests_the_closest() {
    let (msg, _, hint) = translate(
        "unknown field `descriptiff`, expected one of `id`, `descriptif`, `champ`",
        "descriptiff",
    );
    assert_eq!(msg, "clé inconnue `descriptiff`");
    assert_eq!(
        hint.unwrap(),
        "vouliez-vous dire `descriptif` ? Clés possibles ici : `descriptif`, `id`, `champ`"
    );
}

#[test]
fn wrong_type_is_french() {
    let (msg, _, _) = translate("invalid type: string \"trois\", expected i64", "\"trois\"");
    assert_eq!(
        msg,
        "type de valeur incorrect : le texte \"trois\" au lieu d'un nombre entier"
    );
}
