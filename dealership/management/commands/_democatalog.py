"""The demo catalog loaded by ``seed_demo``: two brands of a Chinese dealer group — Qingshan
(青山, a domestic EV brand, its material in Chinese) and Nordwind (a joint-venture brand selling
petrol and hybrid cars, its material in English) —, their series, models, trims, colours,
accessories, the demo showroom's current and next-month price lists, 129 stock cars and the
selling points of the six-point walkaround for every model.

``demo_catalog_load`` is idempotent: every row is found by its natural key (brand and series
names, trim codes, part numbers, VINs, price-list names, a selling point's model, position and
title) and created only when missing, so running it twice changes nothing.
"""

import random
from calendar import monthrange
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q

from showroom.models import (
    Accessory,
    Brand,
    Colour,
    PriceList,
    PriceListEntry,
    SellingPoint,
    Series,
    StockCar,
    StockStatus,
    Trim,
    VehicleModel,
    WalkaroundPosition,
)
from showroom.vin import vin_check_digit

MODEL_YEAR = 2026
YEAR_CODE = "T"  # ISO 3779 position 10: 2026


def make_vin(wmi: str, vds: str, serial: int, *, year_code: str = YEAR_CODE, plant: str = "S") -> str:
    """A 17-character VIN: WMI (3), VDS (5), check digit, model year, plant, serial (6)."""
    assert len(wmi) == 3 and len(vds) == 5 and 0 <= serial < 1_000_000
    body = f"{wmi}{vds}0{year_code}{plant}{serial:06d}"
    return body[:8] + vin_check_digit(body) + body[9:]


# ---------------------------------------------------------------------------- the data

# Trim: (code, name, engine, gearbox, drive, fuel, seats, lead days, MSRP, next month's MSRP
# or None for unchanged, colour indexes in the brand's colour list).
QINGSHAN = {
    "name": "Qingshan",
    "wmi": "LGS",
    "colours": [
        ("星河白", "QW01", "#F2F3F5"),
        ("曜石黑", "QB02", "#16181C"),
        ("晨雾灰", "QG03", "#8E959C"),
        ("深海蓝", "QU04", "#1F3A5F"),
        ("极光绿", "QN05", "#3C7D6B"),
    ],
    # Colour surcharges over the trim's price (metallic and matte paints).
    "surcharges": {"深海蓝": 2000, "极光绿": 3000},
    "series": [
        ("S7", [
            {
                "name": "S7 2026", "body": "轿车", "vds": "S7E1A",
                "description": "青山旗舰纯电轿车：溜背造型、800V 平台、CLTC 续航最高 710 km。",
                "facts": {"cd": "0.203", "steel": "82%", "boot": "480", "wheelbase": "2,950",
                          "screen": "15.6", "powertrain": "800V 碳化硅电驱", "power": "390 kW",
                          "accel": "3.8", "economy": "CLTC 续航 710 km", "charge": "15 分钟补能 400 km"},
                "trims": [
                    ("qs-s7-sr-rwd", "标准续航后驱版", "后置单电机 200 kW", "single", "rwd", "ev", 5, 14,
                     209900, 199900, [0, 1, 2]),
                    ("qs-s7-lr-rwd", "长续航后驱版", "后置单电机 230 kW", "single", "rwd", "ev", 5, 21,
                     239900, 229900, [0, 1, 2, 3, 4]),
                    ("qs-s7-perf-awd", "高性能四驱版", "双电机 390 kW", "single", "awd", "ev", 5, 45,
                     279900, None, [0, 1, 3, 4]),
                ],
            },
        ]),
        ("X5", [
            {
                "name": "X5 EV 2026", "body": "SUV", "vds": "X5E2B",
                "description": "中大型纯电 SUV，5 座或 6/7 座，城市家庭的第一辆车。",
                "facts": {"cd": "0.245", "steel": "78%", "boot": "620", "wheelbase": "3,000",
                          "screen": "15.6", "powertrain": "双电机智能四驱", "power": "360 kW",
                          "accel": "4.6", "economy": "CLTC 续航 650 km", "charge": "20 分钟补能 350 km"},
                "trims": [
                    ("qs-x5ev-pro", "Pro 5 座后驱版", "后置单电机 230 kW", "single", "rwd", "ev", 5, 14,
                     229900, None, [0, 1, 2, 3]),
                    ("qs-x5ev-max", "Max 5 座四驱版", "双电机 360 kW", "single", "awd", "ev", 5, 21,
                     259900, None, [0, 1, 2, 3, 4]),
                    ("qs-x5ev-max7", "Max 7 座四驱版", "双电机 360 kW", "single", "awd", "ev", 7, 30,
                     269900, None, [0, 1, 2, 3, 4]),
                ],
            },
            {
                "name": "X5 EREV 2026", "body": "SUV", "vds": "X5R2C",
                "description": "增程版 X5：纯电 210 km，综合续航 1,300 km，没有里程焦虑。",
                "facts": {"cd": "0.250", "steel": "78%", "boot": "600", "wheelbase": "3,000",
                          "screen": "15.6", "powertrain": "1.5T 增程器 + 后置电机", "power": "230 kW",
                          "accel": "6.5", "economy": "纯电 210 km，综合续航 1,300 km",
                          "charge": "亏电油耗 5.9 L/100 km"},
                "trims": [
                    ("qs-x5erev-pro", "增程 Pro 版", "1.5T 增程器 + 电机 230 kW", "single", "rwd", "phev", 5, 14,
                     199900, None, [0, 1, 2]),
                    ("qs-x5erev-max", "增程 Max 版", "1.5T 增程器 + 电机 230 kW", "single", "rwd", "phev", 5, 21,
                     219900, None, [0, 1, 2, 3]),
                ],
            },
        ]),
        ("M8", [
            {
                "name": "M8 2026", "body": "MPV", "vds": "M8E3D",
                "description": "纯电豪华 MPV，二排零重力座椅，商务接待与多孩家庭皆宜。",
                "facts": {"cd": "0.260", "steel": "80%", "boot": "780", "wheelbase": "3,200",
                          "screen": "17.3", "powertrain": "双电机四驱", "power": "400 kW",
                          "accel": "5.5", "economy": "CLTC 续航 680 km", "charge": "18 分钟补能 380 km"},
                "trims": [
                    ("qs-m8-comfort", "7 座舒享版", "后置单电机 250 kW", "single", "rwd", "ev", 7, 30,
                     329900, None, [0, 1, 2]),
                    ("qs-m8-flagship", "7 座旗舰四驱版", "双电机 400 kW", "single", "awd", "ev", 7, 60,
                     389900, None, [0, 1, 3]),
                ],
            },
        ]),
    ],
    "accessories": [
        # (part number, name, price, trim codes or "*" for every trim of the brand)
        ("QS-ACC-001", "全包围 TPE 脚垫", 899, "*"),
        ("QS-ACC-002", "7 kW 家用充电桩（含安装）", 2999, "*"),
        ("QS-ACC-003", "前后双录行车记录仪", 1280, "*"),
        ("QS-ACC-004", "TPU 隐形车衣", 6800, "*"),
        ("QS-ACC-005", "450 L 车顶行李箱", 3600, ["qs-x5ev-pro", "qs-x5ev-max", "qs-x5ev-max7",
                                               "qs-x5erev-pro", "qs-x5erev-max", "qs-m8-comfort",
                                               "qs-m8-flagship"]),
        ("QS-ACC-006", "ISOFIX 儿童安全座椅", 2380, ["qs-x5ev-max7", "qs-m8-comfort", "qs-m8-flagship"]),
    ],
}

NORDWIND = {
    "name": "Nordwind",
    "wmi": "LNW",
    "colours": [
        ("Polar White", "NW040", "#F4F4F2"),
        ("Carbon Black", "NW2T2", "#1B1B1D"),
        ("Moonstone Silver", "NW8E8", "#B8BCC0"),
        ("Crimson Red", "NW3R7", "#9E1B22"),
        ("Fjord Blue", "NW5B4", "#2E4A6B"),
    ],
    "surcharges": {"Crimson Red": 3000, "Fjord Blue": 2000},
    "series": [
        ("Aria", [
            {
                "name": "Aria 1.5T 2026", "body": "Sedan", "vds": "AR15A",
                "description": "The mid-size family sedan: roomy, frugal, and the best-seller of the range.",
                "facts": {"cd": "0.27", "steel": "75%", "boot": "510", "wheelbase": "2,840",
                          "screen": "12.3", "powertrain": "1.5T turbo with 7-speed dual-clutch",
                          "power": "132 kW", "accel": "8.4", "economy": "6.1 L/100 km (WLTC)",
                          "charge": "92-octane petrol is enough"},
                "trims": [
                    ("nw-aria15-comfort", "1.5T Comfort", "1.5T 132 kW", "dct", "fwd", "petrol", 5, 10,
                     139800, 133800, [0, 1, 2]),
                    ("nw-aria15-luxury", "1.5T Luxury", "1.5T 132 kW", "dct", "fwd", "petrol", 5, 14,
                     159800, 153800, [0, 1, 2, 3, 4]),
                ],
            },
            {
                "name": "Aria Hybrid 2026", "body": "Sedan", "vds": "AR20H",
                "description": "Aria with the 2.0 L self-charging hybrid: city driving mostly on electric power.",
                "facts": {"cd": "0.27", "steel": "75%", "boot": "480", "wheelbase": "2,840",
                          "screen": "12.3", "powertrain": "2.0 L hybrid with e-CVT",
                          "power": "158 kW", "accel": "7.9", "economy": "4.2 L/100 km (WLTC)",
                          "charge": "no plug needed, it charges while braking"},
                "trims": [
                    ("nw-ariahy-comfort", "Hybrid Comfort", "2.0L hybrid 158 kW", "cvt", "fwd", "hybrid", 5, 21,
                     169800, None, [0, 1, 2]),
                    ("nw-ariahy-luxury", "Hybrid Luxury", "2.0L hybrid 158 kW", "cvt", "fwd", "hybrid", 5, 28,
                     189800, None, [0, 1, 2, 4]),
                ],
            },
        ]),
        ("Terra", [
            {
                "name": "Terra 2.0T 2026", "body": "SUV", "vds": "TR20T",
                "description": "The mid-size SUV with optional all-wheel drive and a third row.",
                "facts": {"cd": "0.31", "steel": "80%", "boot": "650", "wheelbase": "2,900",
                          "screen": "12.3", "powertrain": "2.0T turbo with 8-speed automatic",
                          "power": "185 kW", "accel": "7.2", "economy": "7.6 L/100 km (WLTC)",
                          "charge": "towing up to 2,000 kg"},
                "trims": [
                    ("nw-terra-2wd-comfort", "2WD Comfort", "2.0T 185 kW", "automatic", "fwd", "petrol", 5, 14,
                     199800, None, [0, 1, 2, 3]),
                    ("nw-terra-4wd-luxury", "4WD Luxury", "2.0T 185 kW", "automatic", "awd", "petrol", 5, 21,
                     239800, None, [0, 1, 2, 3, 4]),
                    ("nw-terra-4wd-flagship7", "4WD Flagship 7-seat", "2.0T 185 kW", "automatic", "awd", "petrol",
                     7, 45, 269800, None, [1, 2, 4]),
                ],
            },
        ]),
        ("Volta", [
            {
                "name": "Volta 1.5 2026", "body": "Hatchback", "vds": "VL15C",
                "description": "The compact city hatchback: easy to park, cheap to run, first car of many owners.",
                "facts": {"cd": "0.29", "steel": "70%", "boot": "380", "wheelbase": "2,650",
                          "screen": "10.25", "powertrain": "1.5 L with CVT", "power": "88 kW",
                          "accel": "10.9", "economy": "5.4 L/100 km (WLTC)",
                          "charge": "a 10.2 m turning circle"},
                "trims": [
                    ("nw-volta-fun", "1.5 CVT Fun", "1.5L 88 kW", "cvt", "fwd", "petrol", 5, 7,
                     89800, None, [0, 2, 3]),
                    ("nw-volta-style", "1.5 CVT Style", "1.5L 88 kW", "cvt", "fwd", "petrol", 5, 10,
                     99800, None, [0, 1, 2, 3, 4]),
                ],
            },
        ]),
    ],
    "accessories": [
        ("NW-ACC-001", "All-weather floor mats", 780, "*"),
        ("NW-ACC-002", "Dash camera, front and rear", 1180, "*"),
        ("NW-ACC-003", "Window tint film (full car)", 2200, "*"),
        ("NW-ACC-004", "Boot liner", 460, "*"),
        ("NW-ACC-005", "Detachable towbar", 4200, ["nw-terra-2wd-comfort", "nw-terra-4wd-luxury",
                                                  "nw-terra-4wd-flagship7"]),
        ("NW-ACC-006", "Roof crossbars", 1650, ["nw-terra-2wd-comfort", "nw-terra-4wd-luxury",
                                                "nw-terra-4wd-flagship7", "nw-volta-fun", "nw-volta-style"]),
    ],
}

BRANDS = [QINGSHAN, NORDWIND]

# Selling points per walkaround position (DOMAIN section 7): (title, feature, advantage,
# benefit, evidence), filled in with the model's facts. Two per position and model.
POINTS_ZH = {
    WalkaroundPosition.FRONT: [
        ("家族式“山脊”前脸", "贯穿式 LED 日行灯与封闭式前脸", "风阻系数低至 Cd {cd}",
         "高速更安静、续航更长，一眼就能认出是青山", "风洞实测 Cd {cd}；请客户站在 45° 角看灯带"),
        ("智能像素大灯", "每侧 1.3 万像素的智能大灯", "自动避让对向车辆，远光不晃眼",
         "夜里走乡道接孩子也安心", "展车可现场演示迎宾灯语"),
    ],
    WalkaroundPosition.SIDE: [
        ("笼式车身", "{steel} 高强度钢与铝合金笼式车身", "碰撞时乘员舱不变形",
         "全家人坐得放心", "C-NCAP 五星，侧面柱碰得分 98%"),
        ("隐藏式门把手与 20 寸轮毂", "电动隐藏式门把手、20 寸低风阻轮毂", "车身侧面平顺，减少风噪与能耗",
         "外观更高级，冬天也不会冻住", "-30 °C 冰冻测试可正常弹出"),
    ],
    WalkaroundPosition.REAR: [
        ("{boot} L 后备厢", "后备厢容积 {boot} L，电动尾门带记忆高度", "地台平整，开口宽",
         "周末出游行李一次装下", "现场放入 2 个 28 寸行李箱和一辆婴儿车"),
        ("贯穿式星环尾灯", "一体式 LED 尾灯，转向灯流水点亮", "后车更早看到刹车与转向",
         "夜间跟车更安全，也很好认", "关门后演示尾灯迎宾动画"),
    ],
    WalkaroundPosition.REAR_SEATS: [
        ("{wheelbase} mm 轴距的后排空间", "轴距 {wheelbase} mm，后排地板纯平", "中间乘客也有放脚空间",
         "三个人坐后排长途不累", "请客户亲自坐进后排，膝部空间两拳以上"),
        ("ISOFIX 与电子童锁", "后排两个 ISOFIX 接口，中控一键电子童锁", "安全座椅安装一次到位",
         "带孩子出行省心", "现场用展厅的安全座椅演示安装，30 秒内完成"),
    ],
    WalkaroundPosition.DRIVER_SEAT: [
        ("{screen} 寸中控屏与语音助手", "{screen} 寸 2.5K 中控屏，全车语音控制", "说一句话就能开空调、导航",
         "开车时眼睛不离路面", "请客户说“我有点冷”，现场试用语音"),
        ("高阶辅助驾驶", "高速与城市领航辅助、自动泊车", "长途和堵车时减轻疲劳",
         "上下班更轻松，新手停车也不怕", "试驾时体验自动泊车入库"),
    ],
    WalkaroundPosition.ENGINE_BAY: [
        ("{powertrain}", "{powertrain}，最大功率 {power}", "零百加速 {accel} 秒",
         "超车果断，上高架不费力", "试驾路线上有一段可安全体验加速"),
        ("{economy}", "{economy}；{charge}", "日常通勤一周一充",
         "用车成本约为燃油车的三分之一", "展示本店充电桩与客户通勤里程的测算表"),
    ],
}

POINTS_EN = {
    WalkaroundPosition.FRONT: [
        ("Signature Nordwind grille", "Wide chrome-framed grille with slim LED headlights",
         "Instantly recognisable, drag coefficient of only {cd}",
         "A car that looks premium in the office car park", "Brand design award 2025; stand at 45° to see it"),
        ("Adaptive LED headlights", "Matrix LED headlights with automatic high beam",
         "Lights the road without dazzling oncoming drivers", "Safer and less tiring night drives",
         "Show the cornering light in the showroom's dim corner"),
    ],
    WalkaroundPosition.SIDE: [
        ("Safety cage", "{steel} high-strength steel body with six airbags",
         "The cabin keeps its shape in a crash", "The whole family is protected",
         "C-NCAP 5 stars; side-impact score 97%"),
        ("Comfort suspension and alloy wheels", "McPherson front, multi-link rear suspension; 18-inch alloys",
         "Absorbs potholes and speed bumps", "A smooth ride on Shanghai's ring roads",
         "Feel it on the test-drive route's cobbled section"),
    ],
    WalkaroundPosition.REAR: [
        ("{boot} L boot", "{boot} L boot with a flat floor and 60/40 folding seats",
         "Takes long items like a folded bike", "Shopping, luggage and the pram all fit",
         "Fold the seats here in 10 seconds"),
        ("Hands-free tailgate", "Kick-sensor power tailgate", "Opens with full hands",
         "No putting the shopping on a wet floor", "Demonstrate it with the key in your pocket"),
    ],
    WalkaroundPosition.REAR_SEATS: [
        ("Rear legroom", "{wheelbase} mm wheelbase, rear air vents and USB-C",
         "Adults sit comfortably behind a tall driver", "Long trips without complaints from the back",
         "Ask the customer to sit behind their own driving position"),
        ("ISOFIX and child locks", "Two ISOFIX points with top tethers, electric child locks",
         "A child seat fitted correctly in one go", "Peace of mind with small children",
         "Fit the showroom's child seat together with the customer"),
    ],
    WalkaroundPosition.DRIVER_SEAT: [
        ("{screen}-inch touchscreen", "{screen}-inch touchscreen with wireless CarPlay and CarLife",
         "The phone connects by itself when you get in", "Navigation and music with no cables",
         "Pair the customer's phone now"),
        ("Driver assistance", "Adaptive cruise with lane centring, blind-spot warning, 360° camera",
         "Keeps distance in traffic jams", "Less stress on the daily commute",
         "Try the 360° camera while parking on the test drive"),
    ],
    WalkaroundPosition.ENGINE_BAY: [
        ("{powertrain}", "{powertrain}, {power}", "0–100 km/h in {accel} s",
         "Confident overtaking on the motorway", "Ten-year-proven engine family, 3-year warranty"),
        ("Economy", "{economy}; {charge}", "Low running costs", "Save on every trip to the petrol station",
         "Show the fuel-cost table against the customer's yearly mileage"),
    ],
}

LOCATIONS = ["Showroom floor", "Lot A", "Lot B", "Kangqiao yard"]

# The stock cars, trim by trim (code, how many besides display and test-drive cars). Two trims
# are sold out (only sold, delivered or reserved cars), so their supply lead time matters.
STOCK_PLAN = [
    ("qs-s7-sr-rwd", 8), ("qs-s7-lr-rwd", 9), ("qs-s7-perf-awd", 5),
    ("qs-x5ev-pro", 8), ("qs-x5ev-max", 9), ("qs-x5ev-max7", 7),
    ("qs-x5erev-pro", 7), ("qs-x5erev-max", 6),
    ("qs-m8-comfort", 5), ("qs-m8-flagship", 3),
    ("nw-aria15-comfort", 8), ("nw-aria15-luxury", 7),
    ("nw-ariahy-comfort", 6), ("nw-ariahy-luxury", 5),
    ("nw-terra-2wd-comfort", 7), ("nw-terra-4wd-luxury", 7), ("nw-terra-4wd-flagship7", 3),
    ("nw-volta-fun", 6), ("nw-volta-style", 4),
]
SOLD_OUT = {"qs-m8-flagship", "nw-terra-4wd-flagship7"}
# One display car per series, colours varied (DOMAIN section 4).
DISPLAY_CARS = [
    ("qs-s7-lr-rwd", "极光绿"), ("qs-x5ev-max7", "星河白"), ("qs-m8-comfort", "曜石黑"),
    ("nw-aria15-luxury", "Crimson Red"), ("nw-terra-4wd-luxury", "Moonstone Silver"), ("nw-volta-style", "Fjord Blue"),
]
# The test-drive fleet: never also display cars; green plates for the new-energy cars.
TEST_DRIVE_CARS = [
    ("qs-s7-lr-rwd", "深海蓝", "沪AD36801"),
    ("qs-x5ev-max", "晨雾灰", "沪AF20917"),
    ("qs-x5erev-max", "星河白", "沪AD58122"),
    ("nw-terra-4wd-luxury", "Carbon Black", "沪A8K261"),
]
# 20-car cycle of statuses: 3 in transit, 9 in stock, 2 reserved, 3 sold, 3 delivered.
STATUS_CYCLE = (
    [StockStatus.IN_STOCK] * 3 + [StockStatus.IN_TRANSIT] + [StockStatus.IN_STOCK] * 2 + [StockStatus.SOLD]
    + [StockStatus.IN_STOCK] * 2 + [StockStatus.DELIVERED, StockStatus.RESERVED, StockStatus.IN_TRANSIT]
    + [StockStatus.IN_STOCK] * 2 + [StockStatus.SOLD, StockStatus.DELIVERED, StockStatus.IN_TRANSIT,
                                    StockStatus.RESERVED, StockStatus.SOLD, StockStatus.DELIVERED]
)
SOLD_OUT_CYCLE = [StockStatus.SOLD, StockStatus.DELIVERED, StockStatus.RESERVED]


# ---------------------------------------------------------------------------- loading

@dataclass
class DemoCatalog:
    models: dict = field(default_factory=dict)  # model name → VehicleModel
    trims: dict = field(default_factory=dict)  # code → Trim
    brand_of: dict = field(default_factory=dict)  # trim code → Brand
    created: dict = field(default_factory=dict)  # what this run added, by kind

    def add(self, kind: str, n: int = 1) -> None:
        if n:
            self.created[kind] = self.created.get(kind, 0) + n


def _with_history_user(obj, by):
    obj._history_user = by  # simple-history: who made the change, outside a request
    return obj


def demo_catalog_load(*, showroom, today: date, by=None) -> DemoCatalog:
    """Create what is missing of the demo catalog, the showroom's price lists and stock."""
    out = DemoCatalog()
    for spec in BRANDS:
        _load_brand(spec, out)
    _load_price_lists(showroom, today, by, out)
    _load_stock(showroom, today, by, out)
    return out


def _load_brand(spec: dict, out: DemoCatalog) -> None:
    brand, created = Brand.objects.get_or_create(name=spec["name"])
    out.add("brands", created)
    colours = []
    for name, code, hex_ in spec["colours"]:
        colour, created = Colour.objects.get_or_create(
            brand=brand, name=name, defaults={"paint_code": code, "hex": hex_}
        )
        out.add("colours", created)
        colours.append(colour)
    brand_trims = []
    points = POINTS_ZH if spec is QINGSHAN else POINTS_EN
    for series_name, models in spec["series"]:
        series, created = Series.objects.get_or_create(brand=brand, name=series_name)
        out.add("series", created)
        for m in models:
            vehicle_model, created = VehicleModel.objects.get_or_create(
                series=series,
                name=m["name"],
                defaults={"model_year": MODEL_YEAR, "body_type": m["body"], "description": m["description"]},
            )
            out.add("models", created)
            out.models[m["name"]] = vehicle_model
            for code, name, engine, gearbox, drive, fuel, seats, lead, _msrp, _next, colour_idx in m["trims"]:
                trim, created = Trim.objects.get_or_create(
                    code=code,
                    defaults={
                        "vehicle_model": vehicle_model, "name": name, "engine": engine, "gearbox": gearbox,
                        "drive": drive, "fuel": fuel, "seats": seats, "supply_lead_days": lead,
                    },
                )
                if created:
                    trim.colours.add(*(colours[i] for i in colour_idx))
                out.add("trims", created)
                out.trims[code] = trim
                out.brand_of[code] = brand
                brand_trims.append(trim)
            _load_selling_points(vehicle_model, points, m["facts"], out)
    for part_number, name, price, fits in spec["accessories"]:
        accessory, created = Accessory.objects.get_or_create(
            part_number=part_number, defaults={"name": name, "price": Decimal(price)}
        )
        if created:
            accessory.fits.add(*(brand_trims if fits == "*" else [out.trims[c] for c in fits]))
        out.add("accessories", created)


def _load_selling_points(vehicle_model, points: dict, facts: dict, out: DemoCatalog) -> None:
    existing = set(vehicle_model.selling_points.values_list("position", "title"))
    new = []
    for position, entries in points.items():
        for order, texts in enumerate(entries):
            title, feature, advantage, benefit, evidence = (t.format(**facts) for t in texts)
            if (position, title) in existing:
                continue
            new.append(
                SellingPoint(
                    vehicle_model=vehicle_model, position=position, title=title[:100], feature=feature,
                    advantage=advantage, benefit=benefit, evidence=evidence, order=order,
                )
            )
    SellingPoint.objects.bulk_create(new)
    out.add("selling points", len(new))


def _all_trims():
    for spec in BRANDS:
        colours = {name: n for n, (name, _code, _hex) in enumerate(spec["colours"])}
        for _series, models in spec["series"]:
            for m in models:
                for trim in m["trims"]:
                    yield spec, colours, m, trim


def _load_price_lists(showroom, today: date, by, out: DemoCatalog) -> None:
    """A list for this month that started some days ago and ends on its last day, and next
    month's list, prepared in advance, from the first of next month. Run in a later month,
    the list then current is kept and capped the day before a new next-month list."""
    month_end = today.replace(day=monthrange(today.year, today.month)[1])
    next_start = month_end + timedelta(days=1)
    current = PriceList.objects.filter(showroom=showroom, valid_from__lte=today).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today)
    ).first()
    if current is None:
        # Starts 20 days ago, or the day after an earlier list ends; ends before a later one.
        start, end = today - timedelta(days=20), month_end
        earlier = PriceList.objects.filter(showroom=showroom, valid_until__gte=start, valid_until__lt=today)
        later = PriceList.objects.filter(showroom=showroom, valid_from__gt=today, valid_from__lte=month_end)
        if earlier.exists():
            start = max(earlier.values_list("valid_until", flat=True)) + timedelta(days=1)
        if later.exists():
            end = min(later.values_list("valid_from", flat=True)) - timedelta(days=1)
        current = _with_history_user(
            PriceList(showroom=showroom, name=f"Guide prices {today:%Y-%m}", valid_from=start,
                      valid_until=end, notes="Demo data: this month's guide prices."),
            by,
        )
        current.save()
        out.add("price lists")
    _load_entries(current, next_month=False, out=out)
    upcoming = PriceList.objects.filter(showroom=showroom, valid_from=next_start).first()
    if upcoming is None:
        # Whatever would still run into next month ends the day before it.
        for running in PriceList.objects.filter(showroom=showroom, valid_from__lt=next_start).filter(
            Q(valid_until__isnull=True) | Q(valid_until__gte=next_start)
        ):
            running.valid_until = month_end
            _with_history_user(running, by).save()
        if not PriceList.objects.filter(showroom=showroom, valid_from__gt=next_start).exists():
            upcoming = _with_history_user(
                PriceList(showroom=showroom, name=f"Guide prices {next_start:%Y-%m}", valid_from=next_start,
                          notes="Demo data: prepared in advance; S7 and Aria 1.5T are cheaper from the 1st."),
                by,
            )
            upcoming.save()
            out.add("price lists")
    if upcoming is not None:
        _load_entries(upcoming, next_month=True, out=out)


def _load_entries(price_list, *, next_month: bool, out: DemoCatalog) -> None:
    if price_list.entries.exists():
        return  # a list's prices are loaded once, then they are the admin's
    colours = {(c.brand_id, c.name): c for c in Colour.objects.all()}
    created = 0
    for spec, colour_index, _m, trim_spec in _all_trims():
        code, msrp, next_msrp, trim_colours = trim_spec[0], trim_spec[8], trim_spec[9], trim_spec[10]
        trim, brand = out.trims[code], out.brand_of[code]
        price = Decimal(next_msrp if next_month and next_msrp else msrp)
        PriceListEntry(price_list=price_list, trim=trim, msrp=price).save()
        created += 1
        for colour_name, surcharge in spec["surcharges"].items():
            if colour_index[colour_name] in trim_colours:
                PriceListEntry(
                    price_list=price_list, trim=trim, colour=colours[(brand.pk, colour_name)], msrp=price + surcharge
                ).save()
                created += 1
    out.add("guide prices", created)


def _stock_rows(today: date):
    """Every demo stock car as a dict of StockCar fields (by names), the same VINs on every run."""
    rng = random.Random(5)  # noqa: S311 — demo data, not security
    spec_of = {}
    for spec, colours, m, trim in _all_trims():
        spec_of[trim[0]] = (spec, colours, m, trim)
    serial = {QINGSHAN["wmi"]: 100000, NORDWIND["wmi"]: 200000}

    def vin_for(code):
        spec, _colours, m, _trim = spec_of[code]
        serial[spec["wmi"]] += 1
        return make_vin(spec["wmi"], m["vds"], serial[spec["wmi"]])

    rows = []
    for code, colour in DISPLAY_CARS:
        rows.append({"vin": vin_for(code), "trim": code, "colour": colour, "status": StockStatus.IN_STOCK,
                     "arrival_date": today - timedelta(days=rng.randint(20, 90)), "location": LOCATIONS[0],
                     "is_display": True})
    for code, colour, plate in TEST_DRIVE_CARS:
        rows.append({"vin": vin_for(code), "trim": code, "colour": colour, "status": StockStatus.IN_STOCK,
                     "arrival_date": today - timedelta(days=rng.randint(60, 200)), "location": "Test-drive bay",
                     "is_test_drive": True, "plate": plate})
    n = 0
    for code, count in STOCK_PLAN:
        spec, _colours, _m, trim = spec_of[code]
        names = [spec["colours"][i][0] for i in trim[10]]
        for k in range(count):
            if code in SOLD_OUT:
                status = SOLD_OUT_CYCLE[k % len(SOLD_OUT_CYCLE)]
            else:
                status = STATUS_CYCLE[n % len(STATUS_CYCLE)]
                n += 1
            if status == StockStatus.IN_TRANSIT:
                arrival, location = today + timedelta(days=rng.randint(3, 30)), ""
            else:
                arrival = today - timedelta(days=rng.randint(2, 150))
                location = rng.choice(LOCATIONS[1:]) if status != StockStatus.DELIVERED else ""
            rows.append({"vin": vin_for(code), "trim": code, "colour": names[(k + n) % len(names)],
                         "status": status, "arrival_date": arrival, "location": location})
    return rows


def _load_stock(showroom, today: date, by, out: DemoCatalog) -> None:
    rows = _stock_rows(today)
    have = set(StockCar.objects.filter(vin__in=[r["vin"] for r in rows]).values_list("vin", flat=True))
    colours = {(c.brand_id, c.name): c for c in Colour.objects.all()}
    fitted = {a.part_number: a for a in Accessory.objects.filter(part_number__in=["QS-ACC-001", "NW-ACC-001"])}
    created = 0
    for n, row in enumerate(rows):
        if row["vin"] in have:
            continue
        code = row.pop("trim")
        trim = out.trims[code]
        colour = colours[(out.brand_of[code].pk, row.pop("colour"))]
        car = _with_history_user(StockCar(showroom=showroom, trim=trim, colour=colour, **row), by)
        car.full_clean()
        car.save()
        if car.status == StockStatus.IN_STOCK and not car.is_test_drive and n % 4 == 0:
            # Floor mats already fitted on some cars (each fits every trim of its brand).
            car.accessories.add(fitted["QS-ACC-001" if trim.code.startswith("qs-") else "NW-ACC-001"])
        created += 1
    out.add("stock cars", created)
