#![allow(clippy::unwrap_used, clippy::expect_used)]

use kefu_regions::{Level, ParsedAddress, Region, division, parse_address, provinces};
use proptest::prelude::*;

/// Asserts the codes (province, city, district; `""` for none) and the detail of a parse.
#[track_caller]
fn check(text: &str, province: &str, city: &str, district: &str, detail: &str) {
    let parsed = parse_address(text);
    let code = |r: &Option<Region>| r.as_ref().map_or(String::new(), |r| r.code.clone());
    assert_eq!(
        (
            code(&parsed.province).as_str(),
            code(&parsed.city).as_str(),
            code(&parsed.district).as_str(),
            parsed.detail.as_str()
        ),
        (province, city, district, detail),
        "parsing {text:?}"
    );
}

#[test]
fn table_counts() {
    // 34 provincial-level divisions including 台湾, 香港 and 澳门; 31 mainland ones come from
    // pca-code.json.
    assert_eq!(provinces().count(), 34);
    assert_eq!(provinces().filter(|p| p.is_mainland()).count(), 31);
    let names: Vec<&str> = provinces().map(|p| p.name).collect();
    assert_eq!(names.first(), Some(&"北京市"));
    assert_eq!(&names[31..], ["台湾省", "香港特别行政区", "澳门特别行政区"]);
    assert_eq!(
        kefu_regions::children("44").count(),
        21,
        "广东 has 21 cities"
    );
    assert_eq!(
        kefu_regions::children("440300").count(),
        9,
        "深圳 has 9 districts"
    );
    // 2974 six-digit areas in pca-code.json, 125 of them NBS functional zones (开发区…).
    let districts = kefu_regions::all().filter(|d| d.level == Level::District);
    assert_eq!(districts.clone().count(), 2974);
    assert_eq!(districts.filter(|d| !d.is_functional_zone()).count(), 2849);
}

#[test]
fn lookups_by_code() {
    let d = division("440305").unwrap();
    assert_eq!((d.name, d.level), ("南山区", Level::District));
    assert_eq!(kefu_regions::parent(d).unwrap().name, "深圳市");
    assert_eq!(d.province().name, "广东省");
    assert_eq!(division("44").unwrap().code, "440000");
    assert_eq!(division("4403").unwrap().code, "440300");
    let xinjiang_direct = division("6590").unwrap();
    assert!(xinjiang_direct.is_placeholder());
    assert_eq!(xinjiang_direct.official_name, "自治区直辖县级行政区划");
    assert!(division("12345").is_none());
}

#[test]
fn full_names() {
    check(
        "广东省深圳市南山区科技园科苑路15号",
        "440000",
        "440300",
        "440305",
        "科技园科苑路15号",
    );
    check(
        "浙江省宁波市鄞州区天童南路",
        "330000",
        "330200",
        "330212",
        "天童南路",
    );
    check(
        "湖北省武汉市洪山区珞喻路1037号",
        "420000",
        "420100",
        "420111",
        "珞喻路1037号",
    );
    check(
        "山东省青岛市市南区香港中路10号",
        "370000",
        "370200",
        "370202",
        "香港中路10号",
    );
}

#[test]
fn short_names() {
    check(
        "广东深圳南山区科技园南区",
        "440000",
        "440300",
        "440305",
        "科技园南区",
    );
    check(
        "深圳南山粤海街道高新南一道",
        "440000",
        "440300",
        "440305",
        "粤海街道高新南一道",
    );
    check(
        "上海浦东新区张江碧波路690号",
        "310000",
        "310100",
        "310115",
        "张江碧波路690号",
    );
    check(
        "陕西西安雁塔区小寨东路",
        "610000",
        "610100",
        "610113",
        "小寨东路",
    );
    check(
        "湖南长沙岳麓区麓山南路",
        "430000",
        "430100",
        "430104",
        "麓山南路",
    );
    check("广东 深圳 南山", "440000", "440300", "440305", "");
    check("上海浦东区张江路", "310000", "310100", "310115", "张江路");
    check(
        "青岛市南区香港中路",
        "370000",
        "370200",
        "370202",
        "香港中路",
    );
    check("济南市中区经四路", "370000", "370100", "370103", "经四路");
    check("辽宁朝阳", "210000", "211300", "", "");
}

#[test]
fn missing_levels() {
    check(
        "杭州市西湖区文三路478号",
        "330000",
        "330100",
        "330106",
        "文三路478号",
    );
    check(
        "江苏省昆山市花桥镇商务大道",
        "320000",
        "320500",
        "320583",
        "花桥镇商务大道",
    );
    check("义乌北苑街道", "330000", "330700", "330782", "北苑街道");
    check("福建省鼓楼区五四路", "350000", "350100", "350102", "五四路");
}

#[test]
fn municipalities() {
    let p = parse_address("北京市朝阳区建国路88号SOHO现代城");
    assert_eq!(p.province, Some(region("110000", "北京市")));
    assert_eq!(p.city, Some(region("110100", "北京市")));
    assert_eq!(p.district, Some(region("110105", "朝阳区")));
    assert_eq!(p.detail, "建国路88号SOHO现代城");
    check(
        "北京 北京市 东城区 王府井大街",
        "110000",
        "110100",
        "110101",
        "王府井大街",
    );
    check(
        "上海市上海市浦东新区世纪大道100号",
        "310000",
        "310100",
        "310115",
        "世纪大道100号",
    );
    check("天津市和平区南京路", "120000", "120100", "120101", "南京路");
    check(
        "重庆渝北区金开大道",
        "500000",
        "500100",
        "500112",
        "金开大道",
    );
    check(
        "重庆市石柱县南宾街道",
        "500000",
        "500200",
        "500240",
        "南宾街道",
    );
    // 重庆 alone: the data splits it into 市辖区 (500100) and 县 (500200).
    check("重庆市", "500000", "", "", "");
}

#[test]
fn same_district_name_in_several_cities() {
    check(
        "北京朝阳区三里屯路",
        "110000",
        "110100",
        "110105",
        "三里屯路",
    );
    check(
        "吉林省长春市朝阳区人民大街",
        "220000",
        "220100",
        "220104",
        "人民大街",
    );
    check("长春朝阳区红旗街", "220000", "220100", "220104", "红旗街");
    check("南京鼓楼区汉中路", "320000", "320100", "320106", "汉中路");
    check(
        "徐州市鼓楼区中山北路",
        "320000",
        "320300",
        "320302",
        "中山北路",
    );
    // Left unresolved rather than guessed.
    check("朝阳区建国路88号", "", "", "", "朝阳区建国路88号");
    check("鼓楼区中山路100号", "", "", "", "鼓楼区中山路100号");
    check("江苏鼓楼区中山北路", "320000", "", "", "鼓楼区中山北路");
}

#[test]
fn autonomous_regions_and_prefectures() {
    check(
        "新疆维吾尔自治区乌鲁木齐市天山区解放北路",
        "650000",
        "650100",
        "650102",
        "解放北路",
    );
    check("新疆乌鲁木齐天山区", "650000", "650100", "650102", "");
    check(
        "内蒙古呼和浩特赛罕区大学东街",
        "150000",
        "150100",
        "150105",
        "大学东街",
    );
    check(
        "广西南宁青秀区民族大道",
        "450000",
        "450100",
        "450103",
        "民族大道",
    );
    check("宁夏银川金凤区", "640000", "640100", "640106", "");
    check("湖北省恩施州利川市", "420000", "422800", "422802", "");
    check(
        "四川省凉山彝族自治州西昌市",
        "510000",
        "513400",
        "513401",
        "",
    );
    check("青海海南共和县", "630000", "632500", "632521", "");
}

#[test]
fn county_level_units_directly_under_a_province() {
    // The data's 省直辖县级行政区划 placeholder is not a city.
    check("湖北省仙桃市沙嘴街道", "420000", "", "429004", "沙嘴街道");
    check("新疆石河子市北四路", "650000", "", "659001", "北四路");
    check("海南省东方市八所镇", "460000", "", "469007", "八所镇");
}

#[test]
fn cities_without_a_county_level() {
    check(
        "广东省东莞市虎门镇连升路",
        "440000",
        "441900",
        "",
        "虎门镇连升路",
    );
    check("广东中山市石岐街道", "440000", "442000", "", "石岐街道");
}

#[test]
fn text_around_the_address() {
    check(
        "张三 13800138000 广东省广州市天河区天河路385号",
        "440000",
        "440100",
        "440106",
        "天河路385号",
    );
    check(
        "收件人：李四，电话：021-12345678，地址：上海市徐汇区漕溪北路88号",
        "310000",
        "310100",
        "310104",
        "漕溪北路88号",
    );
    check(
        "  广东省/深圳市/福田区 福华路1号  电话 +86 138-0013-8000 ",
        "440000",
        "440300",
        "440304",
        "福华路1号",
    );
}

#[test]
fn no_absurd_matches() {
    check(
        "北京市朝阳门外大街1号",
        "110000",
        "110100",
        "",
        "朝阳门外大街1号",
    );
    check("杭州西湖大道", "330000", "330100", "", "西湖大道");
    check(
        "深圳市深圳湾科技生态园",
        "440000",
        "440300",
        "",
        "深圳湾科技生态园",
    );
    check("市", "", "", "", "市");
    check("省市区", "", "", "", "省市区");
    check("中山路100号", "", "", "", "中山路100号");
    check("平安银行", "", "", "", "平安银行");
    check("", "", "", "", "");
}

#[test]
fn divisions_changed_since_older_data() {
    // 莱芜市 became 济南's 莱芜区 (370116) in 2019; 江干区 was merged into 上城区 and 钱塘区 in 2021.
    check(
        "山东省莱芜市莱城大道",
        "370000",
        "370100",
        "370116",
        "莱城大道",
    );
    check("杭州市江干区", "330000", "330100", "", "江干区");
    check(
        "杭州市临平区南苑街道",
        "330000",
        "330100",
        "330113",
        "南苑街道",
    );
}

#[test]
fn outside_the_mainland() {
    check("香港九龙弥敦道", "810000", "", "", "九龙弥敦道");
    check("台湾省台北市", "710000", "", "", "台北市");
}

#[test]
fn most_specific_code_and_serde() {
    let p = parse_address("广东深圳南山区科技园");
    assert_eq!(p.most_specific_code(), Some("440305"));
    assert_eq!(
        parse_address("江苏鼓楼区").most_specific_code(),
        Some("320000")
    );
    assert_eq!(ParsedAddress::default().most_specific_code(), None);
    let json = serde_json::to_string(&p).unwrap();
    assert_eq!(serde_json::from_str::<ParsedAddress>(&json).unwrap(), p);
    assert_eq!(
        p.district
            .as_ref()
            .unwrap()
            .division()
            .unwrap()
            .official_name,
        "南山区"
    );
}

fn region(code: &str, name: &str) -> Region {
    Region {
        code: code.to_owned(),
        name: name.to_owned(),
    }
}

proptest! {
    /// Whatever the text, the parse is internally consistent: each level is in the table, sits
    /// under the level above, and the detail is no longer than the text.
    #[test]
    fn parse_is_consistent(text in "[广东省深圳市南山区朝阳北京吉林长春鼓楼江苏 ,0-9路号a-z]{0,40}") {
        let p = parse_address(&text);
        let get = |r: &Option<Region>| r.as_ref().map(|r| division(&r.code).unwrap());
        let (province, city, district) = (get(&p.province), get(&p.city), get(&p.district));
        if let Some(d) = district {
            prop_assert!(d.is_within(province.unwrap()));
            if let Some(c) = city {
                prop_assert!(d.is_within(c));
            }
        }
        if let Some(c) = city {
            prop_assert!(c.is_within(province.unwrap()));
        }
        prop_assert!(p.detail.len() <= text.len());
    }

    /// Any district written out in full after its province and city is found, whatever follows.
    #[test]
    fn full_addresses_round_trip(
        index in 0usize..3000,
        sep in prop::sample::select(vec!["", " ", "，", "/", " - "]),
        detail in "[0-9]{1,4}号[1-9]栋[0-9]{3,4}室",
    ) {
        let districts: Vec<_> = kefu_regions::all().filter(|d| d.level == Level::District).collect();
        let d = districts[index % districts.len()];
        let city = d.parent().unwrap();
        let province = city.parent().unwrap();
        let city_name = if city.is_placeholder() { "" } else { city.name };
        let text = format!("{}{sep}{city_name}{sep}{}{sep}{detail}", province.name, d.name);
        let p = parse_address(&text);
        prop_assert_eq!(p.most_specific_code(), Some(d.code));
        prop_assert_eq!(p.detail, detail);
    }
}
