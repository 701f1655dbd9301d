"""Personal data masked inside free text (mask_text), and nothing else touched."""

from __future__ import annotations

import pytest

from cityops.kernel.masking import mask_email, mask_name, mask_phone, mask_text


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        # mainland mobiles, however written
        ("我的电话13912345678，谢谢", "我的电话139****5678，谢谢"),
        ("电话:139-1234-5678", "电话:139-****-5678"),
        ("电话 139 1234 5678 ", "电话 139 **** 5678 "),
        ("+8613912345678", "+86139****5678"),
        ("+86 139 1234 5678", "+86 139 **** 5678"),
        ("手机１３９１２３４５６７８", "手机１３９****５６７８"),  # full-width digits
        ("手机13912345678。", "手机139****5678。"),
        ("13912345678", "139****5678"),
        ("a 19912345678 b", "a 199****5678 b"),
        # written with dots, slashes, odd spaces, or with letters glued on
        ("电话138.1234.5678", "电话138.****.5678"),
        ("电话138/1234/5678", "电话138/****/5678"),
        ("电话138\u00a01234\u00a05678", "电话138\u00a0****\u00a05678"),
        ("电话138\u200b1234\u200b5678", "电话138\u200b****\u200b5678"),
        ("电话138\u20091234\u30005678", "电话138\u2009****\u30005678"),
        ("１３８．１２３４．５６７８", "１３８．****．５６７８"),
        ("138 123 45678", "138 *** *5678"),
        ("1 3 8 1 2 3 4 5 6 7 8", "1 3 8 * * * * 5 6 7 8"),
        ("加wx13812345603", "加wx138****5603"),
        ("QQ13812345603或微信13812345603", "QQ138****5603或微信138****5603"),
        ("13812345603qq", "138****5603qq"),
        ("订单号 A13912345678", "订单号 A139****5678"),  # glued letters are no protection
        ("0086-13812345678", "0086-138****5678"),
        ("(+86)138 1234 5678", "(+86)138 **** 5678"),
        ("8613812345678", "86138****5678"),
        ("电话13812345678 13912345678", "电话138****5678 139****5678"),
        ("13812345678/13912345678", "138****5678/139****5678"),
        # landlines: the area code stays
        ("请拨0571-87654321", "请拨0571-****4321"),
        ("请拨057187654321", "请拨0571****4321"),
        ("(0571)87654321", "(0571)****4321"),
        ("（0571）87654321", "（0571）****4321"),
        ("010-12345678", "010-****5678"),
        ("02012345678", "020****5678"),
        ("0571 8765432", "0571 ***5432"),
        ("0571 8765 4310", "0571 **** 4310"),
        ("0571.8765.4310", "0571.****.4310"),
        ("（0571）8765-4321转8001", "（0571）****-4321转8001"),  # the extension stays
        ("0571-87654321-8001", "0571-****4321-8001"),
        # resident ID numbers
        ("身份证330103199001011234", "身份证330***********1234"),
        ("身份证33010319900101123X。", "身份证330***********123X。"),
        ("身份证 330103 19900101 123x", "身份证 330*** ******** 123x"),
        ("身份证3301 0319 9001 0112 34", "身份证330* **** **** **12 34"),
        ("身份证 130 1021 9900 1011 234", "身份证 130 **** **** ***1 234"),  # not a mobile
        ("老身份证330103900101123", "老身份证330********1123"),
        # e-mail
        ("邮箱zhang.san@example.com。", "邮箱z***@example.com。"),
        ("13912345678@qq.com", "1***@qq.com"),
        # names after a cue, and the names the case knows
        ("电梯困人，我叫张三", "电梯困人，我叫张*"),
        ("联系人王师傅13900000000", "联系人王**139****0000"),
        ("姓名：李四，住址某小区", "姓名：李*，住址某小区"),
        ("我的名字是王小明", "我的名字是王**"),
    ],
)
def test_personal_data_in_text_is_masked(text: str, masked: str) -> None:
    assert mask_text(text) == masked


@pytest.mark.parametrize(
    "text",
    [
        "案件 C20261206000225 已办结",  # case numbers
        "查询码 7KQ2-M9XD-4TFA",  # tracking codes
        "查询码7KQ2M9XD4TFA",
        "2026-12-06 13:45 上报，20261206 受理，2026年12月6日",  # dates and times
        "罚款 13800.50 元，合计 1,380,000 元",  # amounts
        "金额13912345678.5元",
        "编号 12345678901",  # 11 digits that are no mobile (12…)
        "1391234567 和 139123456789",  # too short, too long
        "案件 C202612061011510 已办结",  # a case number with a seven-digit id
        "价格12000-15000每平，13000-150000元",  # ranges of amounts
        "12号楼3单元502室，3栋2单元1801",  # house numbers
        "2024-05-06 13:45，2024/5/6，2024.05.06 08:30-17:30",
        "拨打12345热线、110、96345",  # service numbers
        "0731-0000-00000000",  # an anonymised number
        "门牌 0571 号，高度 030-1234567",  # no such area code
        "330103199013011234",  # month 13: not an ID number
        "我叫了物业来看，联系人电话打不通",  # cue words that introduce no name
        "请联系人民路派出所",
        "也望领导不要公开我的姓名和电话，姓名公布出来",
        "",
    ],
)
def test_what_is_no_personal_data_stays(text: str) -> None:
    assert mask_text(text) == text


def test_known_names_are_masked_wherever_they_occur() -> None:
    text = "张三反映：张三家门口的井盖松动，李四也看到了"
    assert mask_text(text, names=["张三", None, "李", " "]) == (
        "张*反映：张*家门口的井盖松动，李四也看到了"
    )
    # a longer name first, so a shorter one inside it leaves no half-masked remains
    assert mask_text("欧阳娜娜说", names=["娜娜", "欧阳娜娜"]) == "欧***说"


def test_the_single_value_masks() -> None:
    assert mask_phone("13912345678") == "139****5678"
    assert mask_name("张三") == "张*"
    assert mask_email("zhang@example.com") == "z***@example.com"
    assert mask_email("no-at-sign") == "**********"
