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
        # landlines: the area code stays
        ("请拨0571-87654321", "请拨0571-****4321"),
        ("请拨057187654321", "请拨0571****4321"),
        ("(0571)87654321", "(0571)****4321"),
        ("（0571）87654321", "（0571）****4321"),
        ("010-12345678", "010-****5678"),
        ("02012345678", "020****5678"),
        ("0571 8765432", "0571 ***5432"),
        # resident ID numbers
        ("身份证330103199001011234", "身份证330***********1234"),
        ("身份证33010319900101123X。", "身份证330***********123X。"),
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
        "订单号 A13912345678",  # part of a longer code
        "13912345678B",
        "门牌 0571 号，高度 030-1234567",  # no such area code
        "330103199013011234",  # month 13: not an ID number
        "我叫了物业来看，联系人电话打不通",  # cue words that introduce no name
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
