use super::*;

#[test]
fn pseudonym_department_names_are_masked() {
    assert_eq!(dmask("品質保証課の業務量は増加傾向"), "ある部署の業務量は増加傾向");
    assert_eq!(dmask("営業推進課では人手が足りない。"), "ある部署では人手が足りない。");
    assert_eq!(dmask("役員室と営業部、健康推進課の保健師"), "ある部署とある部署、ある部署の保健師");
    // A path, however written, is one department.
    for text in [
        "営業本部/第一営業部",
        "営業本部／第一営業部",
        "営業本部 / 第一営業部",
        "営業本部　第一営業部",
        "営業本部第一営業部",
        "製造本部品質保証部",
        "本社/総務",
    ] {
        assert_eq!(dmask(&format!("{text}に異動")), "ある部署に異動", "{text}");
    }
    assert_eq!(dmask("営業部から第一営業部へ"), "ある部署からある部署へ");
    assert_eq!(dmask("第一営業部門の方針"), "ある部署の方針");
    // Titles stay; folded spellings are found; a Latin unit needs word edges.
    assert_eq!(dmask("品質保証課長の山田さん"), "ある部署長の関係者A");
    assert_eq!(dmask("品質\u{200B}保証課、ﾏｰｹﾃｨﾝｸﾞ課"), "ある部署、ある部署");
    assert_eq!(dmask("開発 1Gのリーダー、開発1G"), "ある部署のリーダー、ある部署");
    assert_eq!(dmask("開発 1GB のメモリ"), "開発 1GB のメモリ");
    let en = MaskLabels::en("K-TEST-0001");
    assert_eq!(dept_index().mask("品質保証課の山田さん", None, None, &en), "a departmentのPerson A");
    assert_eq!(dept_index().department_forms(), 34);
    assert_eq!(NameIndex::new(&people()).department_forms(), 0);
}

#[test]
fn pseudonym_department_rule_keeps_ordinary_words() {
    // Short names, generic units, functions (…部門), names without a unit word, and names
    // running on into a longer word all stay.
    let plain = concat!(
        "人事部門の方針と開発課題、部品の調達。営業所を回り、会議室で話した。",
        "人材開発の経験を活かし、総務と人事、本社の意向、経営層と管理職の期待。",
        "デジタルマーケティング課、品質保証課題、人事部署の役割、営業部隊。",
    );
    assert_eq!(dmask(plain), plain);
    assert_eq!(dmask("人事部の方針"), "ある部署の方針");
    assert_eq!(dmask("人事部門"), "人事部門");
    // The continuation is a name: a department is masked, and so is the name.
    assert_eq!(dmask("人事部門太さん"), "ある部署関係者A");
    // Without departments nothing of this changes.
    let names_only = NameIndex::new(&people());
    assert_eq!(names_only.mask("品質保証課の業務量", None, None, &labels()), "品質保証課の業務量");
}

#[test]
fn pseudonym_names_win_over_departments_unless_bare_inside() {
    assert_eq!(dmask("中村工場の生産計画"), "ある部署の生産計画");
    assert_eq!(dmask("中村さんは中村工場へ"), "関係者Aはある部署へ");
    assert_eq!(dmask("中村工場長と話した"), "関係者A工場長と話した");
    assert_eq!(dmask("中村亮工場"), "関係者A工場");
    assert_eq!(dmask("中村の異動"), "関係者Aの異動");
}

#[test]
fn pseudonym_exact_ages_become_decades() {
    for (text, masked) in [
        ("本人（30歳）は", "本人（30代）は"),
        ("本人(満34才)は", "本人(30代)は"),
        ("３０歳を迎え", "30代を迎え"),
        ("満３９歳", "30代"),
        ("三十四歳で", "30代で"),
        ("二十歳の頃", "20代の頃"),
        ("十九歳", "10代"),
        ("19歳で入社", "10代で入社"),
        ("5歳の娘", "10歳未満の娘"),
        ("1歳半の子", "10歳未満の子"),
        ("72歳の母", "70代以上の母"),
        ("105歳", "70代以上"),
        ("4\u{200B}5歳", "40代"),
        ("30歳上司", "30代上司"),
        ("円満30歳", "円満30代"),
    ] {
        assert_eq!(mask(text), masked, "{text}");
    }
    // Bounds, bands, differences, placeholders, tenure and other numbers stay.
    let plain = concat!(
        "30歳以上、30歳代、40歳前後、3歳年上の同僚、3歳上の兄、2歳差、10歳未満、〇〇歳、○○歳、万歳、",
        "千歳空港、百二十歳、1234歳、2.5歳、入社5年目、30代、30年",
    );
    assert_eq!(mask(plain), plain);
}

#[test]
fn pseudonym_departments_and_ages_mask_once() {
    let index = dept_index();
    for text in [
        "本人（30歳）は品質保証課の山田さんと営業本部 / 第一営業部の佐藤課長について話した。",
        "人事部門太さん、中村工場の中村さん、5歳の娘、開発課題、営業本部品質保証課",
        "ある部署の関係者Aは30代",
    ] {
        for l in [labels(), MaskLabels::en("K-TEST-0001")] {
            let once = index.mask(text, Some(1), Some(2), &l);
            assert_eq!(index.mask(&once, Some(1), Some(2), &l), once, "{text}");
        }
    }
}
