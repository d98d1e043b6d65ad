use super::*;

#[test]
fn year_ranges_as_written_in_the_plan() {
    for (text, start, end) in [
        ("2024", 2024, 2024),
        ("2023-2024", 2023, 2024),
        ("2023 - 2027", 2023, 2027),
        ("2023 -2027", 2023, 2027),
        ("2023–2027", 2023, 2027),
    ] {
        assert_eq!(
            YearRange::parse(text),
            Ok(YearRange { start, end }),
            "{text}"
        );
    }
}

#[test]
fn bad_year_ranges() {
    assert_eq!(
        YearRange::parse("2027-2023"),
        Err(YearRangeError::Reversed {
            start: 2027,
            end: 2023
        })
    );
    assert!(matches!(
        YearRange::parse("fin 2024"),
        Err(YearRangeError::NotAYear(_))
    ));
    assert!(matches!(
        YearRange::parse("24"),
        Err(YearRangeError::NotAYear(_))
    ));
}
