"""The pages' words in Chinese (the documents' language, the default) and English."""

from __future__ import annotations

from app.domain.progress import TARGET_STATUSES
from app.labels import Lang

LANGS: tuple[Lang, ...] = ("zh", "en")

STRINGS: dict[str, dict[Lang, str]] = {
    "site_title": {"zh": "政策目标进展", "en": "Policy targets"},
    "api_docs": {"zh": "接口文档", "en": "API docs"},
    "other_lang": {"zh": "English", "en": "中文"},
    "as_of": {"zh": "数据截至", "en": "As of"},
    "as_of_now": {"zh": "当前(最新数据)", "en": "now (latest figures)"},
    "show_now": {"zh": "查看最新", "en": "show the latest"},
    "targets": {"zh": "目标", "en": "Targets"},
    "plans": {"zh": "年度计划", "en": "Annual plans"},
    "target": {"zh": "目标", "en": "Target"},
    "plan": {"zh": "年度计划", "en": "Annual plan"},
    "goals": {"zh": "项", "en": "goals"},
    "all": {"zh": "全部", "en": "All"},
    "filter_status": {"zh": "按状态筛选", "en": "Filter by status"},
    "counts": {"zh": "各状态数量", "en": "Counts by status"},
    "legend": {"zh": "图例", "en": "Legend"},
    "subregions": {"zh": "下级区域", "en": "Areas within"},
    "none_match": {"zh": "没有符合条件的目标。", "en": "No goal matches."},
    "indicator": {"zh": "指标", "en": "Indicator"},
    "goal": {"zh": "目标值", "en": "Goal"},
    "latest": {"zh": "最新数据", "en": "Latest figure"},
    "completion": {"zh": "完成率", "en": "Completion"},
    "status": {"zh": "状态", "en": "Status"},
    "source": {"zh": "来源", "en": "Source"},
    "elapsed_marker": {"zh": "序时进度", "en": "序时进度 (time elapsed)"},
    "years": {"zh": "年限", "en": "Years"},
    "year": {"zh": "年份", "en": "Year"},
    "progress": {"zh": "进展", "en": "Progress"},
    "chart": {"zh": "走势图", "en": "Figures over time"},
    "chart_figures": {"zh": "实际数据", "en": "Figures"},
    "chart_goal": {"zh": "目标值", "en": "Goal"},
    "chart_baseline": {"zh": "基期值", "en": "Baseline"},
    "chart_projection": {"zh": "按当前趋势预测", "en": "Projection (UNSD method)"},
    "chart_schedule": {"zh": "序时进度", "en": "序时进度 (even pace)"},
    "chart_empty": {"zh": "暂无可绘制的数据。", "en": "No figure to draw yet."},
    "chart_year_end": {"zh": "{y}年末", "en": "end {y}"},
    "quotes": {"zh": "原文", "en": "Source text"},
    "figures": {"zh": "数据(各期最新修订)", "en": "Figures (latest revision of each period)"},
    "revisions": {"zh": "修订记录", "en": "Revision history"},
    "period": {"zh": "期间", "en": "Period"},
    "span_of_years": {
        "zh": "多年合计(存量为期末值),增速为年均增长",
        "en": "span of years: the total (a stock: its level at the end), average annual growth",
    },
    "value": {"zh": "数值", "en": "Value"},
    "yoy": {"zh": "同比增长", "en": "Year on year"},
    "reported": {"zh": "报告完成率", "en": "Reported completion"},
    "revision": {"zh": "修订", "en": "Revision"},
    "recorded_at": {"zh": "记录时间", "en": "Recorded at"},
    "recorded_by": {"zh": "记录人", "en": "Recorded by"},
    "no_figures": {"zh": "尚无数据。", "en": "No figure recorded yet."},
    "baseline": {"zh": "基期", "en": "Baseline"},
    "from_baseline": {"zh": "较基期完成目标增量", "en": "Of the way from the baseline"},
    "baseline_derived": {"zh": "取自数据", "en": "from the figures"},
    "baseline_stated": {"zh": "文件所述", "en": "as the source states"},
    "projection": {"zh": "预测期末值", "en": "Projected end value"},
    "anticipated": {"zh": "预期进展", "en": "Anticipated progress"},
    "required_cagr": {"zh": "所需年均增速", "en": "Required growth a year"},
    "actual_cagr": {"zh": "实际年均增速", "en": "Actual growth a year"},
    "gap": {"zh": "差距", "en": "Gap"},
    "retired": {"zh": "已撤销", "en": "Retired"},
    "stretch": {"zh": "力争", "en": "stretch"},
    "not_found_title": {"zh": "页面不存在", "en": "Page not found"},
    "not_found_body": {
        "zh": "没有找到这个页面:{what}。",
        "en": "There is no such page: {what}.",
    },
    "back_home": {"zh": "返回首页", "en": "Back to the dashboard"},
    "bad_request_title": {"zh": "请求有误", "en": "Bad request"},
    "no_figure_yet": {"zh": "暂无数据", "en": "No figure yet"},
    "api_json": {"zh": "JSON 数据", "en": "As JSON"},
    "points": {"zh": "个百分点", "en": "points"},
    "documents": {"zh": "原文文件", "en": "Documents"},
    "document": {"zh": "文件", "en": "Document"},
    "doc_code": {"zh": "编号", "en": "Code"},
    "doc_title": {"zh": "标题", "en": "Title"},
    "issuer": {"zh": "发布机关", "en": "Issued by"},
    "published_on": {"zh": "日期", "en": "Date"},
    "doc_kind": {"zh": "类型", "en": "Kind"},
    "script": {"zh": "字体", "en": "Script"},
    "figures_taken": {"zh": "摘录的数据", "en": "Figures taken from it"},
    "marks_count": {"zh": "文中标注 {n} 处", "en": "{n} marked passages"},
    "n_targets": {"zh": "目标 {n} 项", "en": "{n} targets"},
    "n_plans": {"zh": "年度计划 {n} 项", "en": "{n} annual plans"},
    "n_observations": {"zh": "数据 {n} 条", "en": "{n} figures"},
    "text": {"zh": "全文", "en": "Full text"},
    "text_lang_note": {
        "zh": "",
        "en": "The text is shown as the document has it, in Chinese.",
    },
    "legend_mark": {
        "zh": "高亮：从本文件摘录的目标、计划或数据，点击查看",
        "en": "Highlighted: a target, plan or figure taken from this document; follow it",
    },
    "legend_furniture": {
        "zh": "灰色并标有“网页杂文”：抓取网页时混入的广告文字，不属于文件内容",
        "en": "Grey, tagged “page furniture”: advertising the web page spliced in; "
        "not part of the document",
    },
    "furniture": {"zh": "网页杂文", "en": "page furniture"},
    "furniture_title": {
        "zh": "抓取网页时混入的广告文字，不属于文件内容",
        "en": "Advertising the web page spliced in; not part of the document",
    },
    "no_text": {
        "zh": "没有找到这份文件的全文（{path}）。",
        "en": "The text of this document is not available ({path}).",
    },
    "not_in_text": {
        "zh": "引文在全文中找不到的数据",
        "en": "Figures whose quote is not found in the text",
    },
    "no_quote": {"zh": "（无引文）", "en": "(no quote)"},
    "observation": {"zh": "数据", "en": "Figure"},
    "goal_pages": {"zh": "目标页", "en": "goal pages"},
    "no_goal": {"zh": "暂无对应目标", "en": "no goal measures it"},
    "back_to_text": {"zh": "回到正文", "en": "back to the text"},
    "in_text": {"zh": "在原文中查看", "en": "see it in the document"},
}

# Shape beside the colour, so that status never rests on colour alone.
STATUS_MARKS = {
    "achieved": "✔",
    "on_track": "▲",
    "on_schedule": "▲",
    "needs_acceleration": "◆",
    "behind_schedule": "▼",
    "off_track": "✖",
    "insufficient_data": "…",
    "no_data": "–",
}
STATUSES = (*TARGET_STATUSES[:4], "on_schedule", "behind_schedule", *TARGET_STATUSES[4:])

CATEGORIES: dict[str, dict[Lang, str]] = {
    "economy": {"zh": "经济发展", "en": "Economy"},
    "industry": {"zh": "产业", "en": "Industry"},
    "science_technology": {"zh": "科技创新", "en": "Science and technology"},
    "consumption": {"zh": "消费", "en": "Consumption"},
    "infrastructure": {"zh": "基础设施", "en": "Infrastructure"},
    "urban_rural": {"zh": "城乡建设", "en": "Towns and countryside"},
    "opening_up": {"zh": "对外开放", "en": "Opening up"},
    "reform": {"zh": "改革", "en": "Reform"},
    "ecology": {"zh": "生态环境", "en": "Ecology"},
    "livelihood": {"zh": "民生", "en": "Livelihood"},
}

BASES: dict[str, dict[Lang, str]] = {
    "value": {"zh": "数值", "en": "value"},
    "yoy": {"zh": "同比增长", "en": "growth on the year before"},
    "cagr": {"zh": "年均增长", "en": "average annual growth"},
    "cumulative": {"zh": "累计", "en": "total over the years"},
    "change": {"zh": "较基期变化", "en": "change from the baseline"},
}


DOCUMENT_KINDS: dict[str, dict[Lang, str]] = {
    "article": {"zh": "文章", "en": "article"},
    "plan_execution_report": {"zh": "计划执行情况报告", "en": "plan execution report"},
    "work_report_digest": {"zh": "政府工作报告解读", "en": "work report digest"},
    "action_plan": {"zh": "行动方案", "en": "action plan"},
}
SCRIPTS: dict[str, dict[Lang, str]] = {
    "simplified": {"zh": "简体", "en": "Simplified Chinese"},
    "traditional": {"zh": "繁体", "en": "Traditional Chinese"},
}


def t(lang: Lang, key: str, **values: object) -> str:
    text = STRINGS[key][lang]
    return text.format(**values) if values else text


def category_name(lang: Lang, category: str) -> str:
    return CATEGORIES.get(category, {}).get(lang, category)


def basis_name(lang: Lang, basis: str) -> str:
    return BASES.get(basis, {}).get(lang, basis)


def document_kind(lang: Lang, kind: str) -> str:
    return DOCUMENT_KINDS.get(kind, {}).get(lang, kind)


def script_name(lang: Lang, script: str) -> str:
    return SCRIPTS.get(script, {}).get(lang, script)


# --- the reviewer's page (/review): its words, and those review.js shows ---------------

REVIEW_STRINGS: dict[str, dict[Lang, str]] = {
    "review_link": {"zh": "审核", "en": "Review"},
    "review_title": {"zh": "审核待发布数据", "en": "Review pending figures"},
    "review_intro": {
        "zh": "在审核模式下(PUBLISH_MODE=review),分析员提交的数据须经本地区审核员批准后才会发布。"
        "此页面需要审核员或管理员的 API 密钥,列出密钥管辖地区内的待审核数据。",
        "en": "In review mode (PUBLISH_MODE=review) an analyst's figures are published only once "
        "a reviewer of their region approves them. This page needs a reviewer's or an "
        "admin's API key; it lists the pending figures of the key's regions.",
    },
    "review_key_note": {
        "zh": "密钥只保存在本浏览器标签页中(sessionStorage,关闭标签页即清除),"
        "仅在请求本站接口时放在 Authorization 请求头中发送。",
        "en": "The key stays in this browser tab only (sessionStorage, gone when the tab "
        "closes), and is sent only to this site's API, in the Authorization header.",
    },
    "review_key": {"zh": "API 密钥", "en": "API key"},
    "review_use_key": {"zh": "使用此密钥", "en": "Use this key"},
    "review_forget_key": {"zh": "清除密钥", "en": "Forget the key"},
    "review_pending": {"zh": "待审核数据", "en": "Pending figures"},
    "review_no_js": {
        "zh": "此页面需要启用 JavaScript。",
        "en": "This page needs JavaScript.",
    },
    "review_approve": {"zh": "批准所选", "en": "Approve selected"},
    "review_reject": {"zh": "驳回所选", "en": "Reject selected"},
    "review_reason": {"zh": "驳回理由(驳回时必填)", "en": "Reason (required to reject)"},
    "review_select_all": {"zh": "全选", "en": "Select all"},
}
STRINGS.update(REVIEW_STRINGS)

# What review.js writes, in the page's language (placeholders in braces).
REVIEW_SCRIPT_WORDS: dict[str, dict[Lang, str]] = {
    "loading": {"zh": "正在读取待审核数据……", "en": "Reading the pending figures…"},
    "none": {
        "zh": "密钥管辖范围内没有待审核的数据。",
        "en": "No figure of the key's regions is pending.",
    },
    "count": {"zh": "共 {n} 条待审核数据", "en": "{n} pending figures"},
    "no_key": {"zh": "请先输入密钥。", "en": "Paste a key first."},
    "posted_by": {"zh": "提交人", "en": "Posted by"},
    "posted_at": {"zh": "提交时间", "en": "Posted at"},
    "revision": {"zh": "第 {n} 次修订", "en": "revision {n}"},
    "no_warning": {"zh": "无异常提示", "en": "No warning"},
    "outlier": {"zh": "异常值", "en": "Outlier"},
    "ytd_inconsistent": {"zh": "与年内累计不符", "en": "Year to date inconsistent"},
    "select": {"zh": "选择", "en": "Select"},
    "none_selected": {"zh": "请先勾选数据。", "en": "Select figures first."},
    "reason_required": {"zh": "驳回须填写理由。", "en": "A rejection needs a reason."},
    "sending": {"zh": "正在提交……", "en": "Sending…"},
    "approved": {"zh": "已批准 {n} 条数据,现已发布。", "en": "{n} figures approved and published."},
    "rejected": {"zh": "已驳回 {n} 条数据。", "en": "{n} figures rejected."},
    "moved": {"zh": "受影响的目标与计划:", "en": "Goals these figures moved:"},
    "target": {"zh": "目标", "en": "Target"},
    "plan": {"zh": "年度计划", "en": "Annual plan"},
    "no_goal": {"zh": "没有目标或计划受影响。", "en": "No goal was moved."},
    "unauthorized": {
        "zh": "密钥无效或已被撤销。",
        "en": "The key is unknown or revoked.",
    },
    "forbidden": {
        "zh": "此密钥不是审核员或管理员密钥,不能审核数据。",
        "en": "This key is not a reviewer's or an admin's: it cannot review figures.",
    },
    "region_forbidden": {
        "zh": "所选数据中有地区不在此密钥的管辖范围内,未作任何处理。",
        "en": "Some of the selected figures are outside the key's regions; nothing was decided.",
    },
    "own_figures": {
        "zh": "不能审核自己提交的数据(四眼原则),未作任何处理。请由另一位审核员处理。",
        "en": "A reviewer never decides on figures of their own key (four eyes); nothing was "
        "decided. Another reviewer must decide on them.",
    },
    "conflict": {
        "zh": "部分数据已由他人审核,列表已刷新。",
        "en": "Some figures were decided meanwhile; the list is read again.",
    },
    "validation_error": {"zh": "请求有误。", "en": "The request was refused."},
    "failed": {"zh": "请求失败。", "en": "The request failed."},
    "details": {"zh": "详情", "en": "Details"},
}


# --- the import page (/import): its words, and those import.js shows --------------------

IMPORT_STRINGS: dict[str, dict[Lang, str]] = {
    "import_link": {"zh": "导入", "en": "Import"},
    "import_title": {"zh": "导入数据文件", "en": "Import a file of figures"},
    "import_intro": {
        "zh": "选择一个 CSV(UTF-8 或 GBK)或 XLSX 文件,先检查(试运行:全部校验,不保存),"
        "无误后再保存。一批数据要么全部保存,要么一条也不保存。"
        "需要分析员、审核员或管理员的 API 密钥。",
        "en": "Choose a CSV (UTF-8 or GBK) or XLSX file, check it first (a dry run: every "
        "check, nothing stored), then store it. A batch is stored whole or not at all. "
        "Needs an analyst's, reviewer's or admin's API key.",
    },
    "import_file": {"zh": "文件(CSV 或 XLSX)", "en": "File (CSV or XLSX)"},
    "import_sheet": {"zh": "工作表(可选)", "en": "Sheet (optional)"},
    "import_sheet_hint": {"zh": "默认第一个工作表", "en": "the first sheet by default"},
    "import_check": {"zh": "检查(试运行)", "en": "Check (dry run)"},
    "import_store": {"zh": "保存", "en": "Store"},
    "import_template_note": {
        "zh": "模板(列名、示例行,XLSX 另附指标与地区代码表):",
        "en": "Template (the columns, an example row; the XLSX also lists indicator and region "
        "codes):",
    },
}
STRINGS.update(IMPORT_STRINGS)

# What import.js writes, in the page's language (placeholders in braces).
IMPORT_SCRIPT_WORDS: dict[str, dict[Lang, str]] = {
    "no_key": REVIEW_SCRIPT_WORDS["no_key"],
    "no_file": {"zh": "请先选择文件。", "en": "Choose a file first."},
    "key_kept": {"zh": "已保存在本标签页", "en": "kept in this tab"},
    "key_forgotten": {"zh": "密钥已清除。", "en": "The key is forgotten."},
    "checking": {"zh": "正在检查……", "en": "Checking…"},
    "storing": {"zh": "正在保存……", "en": "Storing…"},
    "dry_ok": {
        "zh": "检查通过:{n} 行数据均可保存,尚未保存任何数据。",
        "en": "Checked: all {n} rows can be stored; nothing is stored yet.",
    },
    "dry_ok_next": {
        "zh": "核对下面的提示与受影响的目标,然后点击“保存”。",
        "en": "Look at the warnings and the goals they move below, then press “Store”.",
    },
    "dry_bad": {
        "zh": "检查未通过:{n} 行中有错误,不会保存任何数据。请修改文件后重新检查。",
        "en": "Refused: the {n} rows hold errors; nothing would be stored. Fix the file and "
        "check it again.",
    },
    "stored": {"zh": "已保存 {n} 条数据。", "en": "{n} figures stored."},
    "errors": {"zh": "错误", "en": "Errors"},
    "warnings": {"zh": "提示(已接受,请核对)", "en": "Warnings (accepted; please check)"},
    "row": {"zh": "行", "en": "Row"},
    "field": {"zh": "列", "en": "Column"},
    "problem": {"zh": "问题", "en": "Problem"},
    "moved": {"zh": "受影响的目标与计划:", "en": "Goals these figures move:"},
    "target": REVIEW_SCRIPT_WORDS["target"],
    "plan": REVIEW_SCRIPT_WORDS["plan"],
    "no_goal": REVIEW_SCRIPT_WORDS["no_goal"],
    "unauthorized": REVIEW_SCRIPT_WORDS["unauthorized"],
    "forbidden": {
        "zh": "此密钥不能提交数据。",
        "en": "This key may not post figures.",
    },
    "region_forbidden": {
        "zh": "文件中有地区不在此密钥的管辖范围内,未保存任何数据。",
        "en": "Some rows are outside the key's regions; nothing was stored.",
    },
    "payload_too_large": {
        "zh": "文件过大(最多 5 MB、10,000 行)。",
        "en": "The file is too large (at most 5 MB and 10,000 rows).",
    },
    "validation_error": {
        "zh": "文件中有错误,未保存任何数据。",
        "en": "The file holds errors; nothing was stored.",
    },
    "failed": REVIEW_SCRIPT_WORDS["failed"],
}


# --- the intake page (/documents/new): its words, and those intake.js shows -------------

INTAKE_STRINGS: dict[str, dict[Lang, str]] = {
    "intake_link": {"zh": "录入新文件", "en": "Add a document"},
    "intake_title": {"zh": "从新文件录入数据", "en": "Figures from a new document"},
    "intake_intro": {
        "zh": "粘贴文件全文并填写编号、标题、日期和地区,点击“提取”:系统列出文中的目标、"
        "年度计划和进度数据供核对(此时不保存任何内容)。取消勾选不要的条目,再点击“确认保存”:"
        "文件与勾选的数据一次保存,要么全部保存,要么一条也不保存。进度数据需要分析员、审核员或"
        "管理员密钥;目标和年度计划只能用管理员密钥保存。",
        "en": "Paste the document's full text, give its code, title, date and region, and "
        "press “Propose”: the targets, annual plans and progress figures it states are listed "
        "for you to check (nothing is stored yet). Untick what should not be kept and press "
        "“Confirm”: the document and the ticked figures are stored together, all or nothing. "
        "Progress figures need an analyst's, reviewer's or admin's key; targets and plans an "
        "admin's.",
    },
    "intake_code": {"zh": "文件编号", "en": "Code"},
    "intake_code_hint": {
        "zh": "字母、数字、_ . -,如 005_changshou_2024h1",
        "en": "letters, digits, _ . -, e.g. 005_changshou_2024h1",
    },
    "intake_title_field": {"zh": "标题", "en": "Title"},
    "intake_date": {"zh": "发布日期", "en": "Date issued"},
    "intake_region": {"zh": "地区", "en": "Region"},
    "intake_kind": {"zh": "类型", "en": "Kind"},
    "intake_kind_auto": {"zh": "按标题判断", "en": "from the title"},
    "intake_issuer": {"zh": "发布机关(可选)", "en": "Issued by (optional)"},
    "intake_text": {"zh": "全文", "en": "Full text"},
    "intake_text_hint": {
        "zh": "在此粘贴文件全文(纯文本)",
        "en": "Paste the document's full text here (plain text)",
    },
    "intake_propose": {"zh": "提取", "en": "Propose"},
    "intake_confirm": {"zh": "确认保存", "en": "Confirm"},
    "intake_proposals": {"zh": "候选数据", "en": "Proposals"},
    "no_text_registered": {
        "zh": "登记这份文件时没有提交全文。",
        "en": "The document was registered without its text.",
    },
    "doc_region": {"zh": "地区", "en": "Region"},
}
STRINGS.update(INTAKE_STRINGS)

# What intake.js writes, in the page's language (placeholders in braces).
INTAKE_SCRIPT_WORDS: dict[str, dict[Lang, str]] = {
    "no_key": REVIEW_SCRIPT_WORDS["no_key"],
    "key_kept": IMPORT_SCRIPT_WORDS["key_kept"],
    "key_forgotten": IMPORT_SCRIPT_WORDS["key_forgotten"],
    "no_text": {"zh": "请先粘贴文件全文。", "en": "Paste the document's text first."},
    "missing": {
        "zh": "请填写:{n}。",
        "en": "Fill in: {n}.",
    },
    "proposing": {"zh": "正在提取……", "en": "Reading the document…"},
    "proposed": {
        "zh": "提取到 {n} 条候选数据,尚未保存任何内容。",
        "en": "{n} proposals; nothing is stored yet.",
    },
    "proposed_next": {
        "zh": "逐条核对引文(数字已高亮),取消勾选不要的条目;未匹配指标的请选择指标。"
        "然后点击“确认保存”。",
        "en": "Check each quote (its numbers are highlighted), untick what should not be "
        "kept, choose an indicator where none was matched, then press “Confirm”.",
    },
    "proposed_none": {
        "zh": "文中没有找到可提取的数据。仍可点击“确认保存”只登记文件。",
        "en": "No figure was found in the text. “Confirm” still registers the document alone.",
    },
    "confirming": {"zh": "正在保存……", "en": "Storing…"},
    "stored": {
        "zh": "已登记文件 {n}。",
        "en": "Document {n} registered.",
    },
    "stored_counts": {
        "zh": "新建目标 {t} 项、年度计划 {p} 项,引用已有目标 {c} 项,"
        "保存进度数据 {o} 条(其中待审核 {w} 条)。",
        "en": "{t} targets and {p} plans created, {c} goals in force now cite it, {o} figures "
        "recorded ({w} of them pending review).",
    },
    "open_document": {"zh": "查看文件及其标注", "en": "Open the document with its marks"},
    "refused": {
        "zh": "未保存任何内容:{n} 条勾选的数据有问题,见各行的红色说明。修改后重新确认。",
        "en": "Nothing was stored: {n} ticked rows have problems, shown in red on each row. "
        "Fix them and confirm again.",
    },
    "none_ticked": {
        "zh": "没有勾选任何条目:确认后只登记文件。",
        "en": "Nothing is ticked: confirming registers the document alone.",
    },
    "ticked": {"zh": "已勾选 {n} / {m} 条", "en": "{n} of {m} ticked"},
    "kind": {"zh": "类别", "en": "Kind"},
    "indicator": {"zh": "指标", "en": "Indicator"},
    "region": {"zh": "地区", "en": "Region"},
    "period": {"zh": "期间", "en": "Period"},
    "value": {"zh": "数值", "en": "Value"},
    "unit": {"zh": "单位", "en": "Unit"},
    "confidence": {"zh": "可信度", "en": "Confidence"},
    "quote": {"zh": "引文", "en": "Quote"},
    "open_target": {"zh": "查看目标页", "en": "open the target"},
    "open_plan": {"zh": "查看计划页", "en": "open the plan"},
    "not_stored": {"zh": "未勾选,未保存", "en": "not ticked, not stored"},
    "keep": {"zh": "保存", "en": "Keep"},
    "target": REVIEW_SCRIPT_WORDS["target"],
    "plan": REVIEW_SCRIPT_WORDS["plan"],
    "observation": {"zh": "进度数据", "en": "Figure"},
    "choose_indicator": {"zh": "— 请选择指标 —", "en": "— choose the indicator —"},
    "unmatched": {"zh": "未匹配:“{n}”", "en": "not matched: “{n}”"},
    "yoy": {"zh": "同比", "en": "y/y"},
    "completion": {"zh": "完成计划", "en": "of plan"},
    "low_confidence": {"zh": "可信度较低,请仔细核对", "en": "low confidence: check it closely"},
    "created": {"zh": "新建", "en": "created"},
    "cited": {"zh": "已有目标,增加本文件为来源", "en": "goal in force, now also citing it"},
    "recorded": {"zh": "已保存", "en": "recorded"},
    "pending": {"zh": "待审核", "en": "pending review"},
    "warnings": IMPORT_SCRIPT_WORDS["warnings"],
    "errors": IMPORT_SCRIPT_WORDS["errors"],
    "document_errors": {"zh": "文件信息有误", "en": "The document's details"},
    "unauthorized": REVIEW_SCRIPT_WORDS["unauthorized"],
    "forbidden": {
        "zh": "此密钥不能保存所选条目:目标和年度计划需要管理员密钥(见各行说明)。",
        "en": "This key may not store all the ticked rows: targets and plans need an admin "
        "key (see the rows).",
    },
    "region_forbidden": {
        "zh": "有地区不在此密钥的管辖范围内,未保存任何内容。",
        "en": "Some regions are outside the key's scope; nothing was stored.",
    },
    "document_exists": {
        "zh": "这个文件编号已被使用,请换一个编号。",
        "en": "This code is taken: choose another.",
    },
    "validation_error": {
        "zh": "有错误,未保存任何内容。",
        "en": "There are errors; nothing was stored.",
    },
    "payload_too_large": IMPORT_SCRIPT_WORDS["payload_too_large"],
    "failed": REVIEW_SCRIPT_WORDS["failed"],
    "proposals": INTAKE_STRINGS["intake_proposals"],
    **{f"basis_{basis}": name for basis, name in BASES.items()},
}
