"""Words the rendered blocks use, per edition. One record feeds both; only these labels differ."""
from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "build": "Build", "size": "Size", "bytes": "bytes", "kind": "Kind", "libc": "C library",
        "interpreter": "Interpreter (PT_INTERP)", "needed": "Needed (DT_NEEDED)", "stripped": "Stripped",
        "yes": "yes", "no": "no", "none": "none", "seconds": "Build time",
        "ldd_title": "ldd-style listing of {name}, read from the ELF file (nothing was executed)",
        "measured": "measured live", "cached": "from cache", "failed": "failed",
        "exit": "exit code", "image": "Image", "base": "Base", "uncompressed": "Uncompressed",
        "compressed": "Compressed (gzip layers)", "engine": "Docker engine", "reference": "Reference article",
        "reference_note": "The reference article's figures (docker images, 2023) are shown for comparison; ours are measured on this machine.",
        "layers": "Layers", "app": "app", "runs": "runs", "fails": "fails", "expected": "expected",
        "unexpected": "unexpected", "probe_matrix": "Where each binary runs",
        "build_failed": "This build failed; its numbers are not available.",
        "provenance": "Measured", "on": "on", "with": "with",
        "warning": "livebench",
    },
    "ko": {
        "build": "빌드", "size": "크기", "bytes": "바이트", "kind": "종류", "libc": "C 라이브러리",
        "interpreter": "인터프리터 (PT_INTERP)", "needed": "필요 라이브러리 (DT_NEEDED)", "stripped": "strip 여부",
        "yes": "예", "no": "아니오", "none": "없음", "seconds": "빌드 시간",
        "ldd_title": "{name}의 ldd 형식 목록: ELF 파일을 읽어 만든 것입니다 (아무것도 실행하지 않음)",
        "measured": "빌드 시 실측", "cached": "캐시에서", "failed": "실패",
        "exit": "종료 코드", "image": "이미지", "base": "베이스", "uncompressed": "압축 전",
        "compressed": "압축 후 (gzip 레이어)", "engine": "Docker 엔진", "reference": "참고 글",
        "reference_note": "참고 글의 수치(2023년 docker images 결과)는 비교용으로 함께 보여 줍니다. 나머지 수치는 이 머신에서 실측한 값입니다.",
        "layers": "레이어", "app": "앱", "runs": "실행됨", "fails": "실패", "expected": "예상대로",
        "unexpected": "예상과 다름", "probe_matrix": "바이너리별 실행 가능 여부",
        "build_failed": "이 빌드는 실패했습니다. 수치를 보여 줄 수 없습니다.",
        "provenance": "측정", "on": "환경", "with": "도구",
        "warning": "livebench",
    },
}

KIND_WORDS = {
    "ko": {"static": "정적 (static)", "static-pie": "정적 PIE (static-pie)", "dynamic": "동적 (dynamic)",
           "shared-library": "공유 라이브러리", "unknown": "알 수 없음"},
}


def label(lang: str, key: str, **fmt: str) -> str:
    table = LABELS.get(lang) or LABELS["en"]
    text = table.get(key) or LABELS["en"].get(key, key)
    return text.format(**fmt) if fmt else text


def lang_of(code: str | None) -> str:
    """Map a page locale (``ko``, ``ko_KR``, ``en``) to a label table."""
    code = (code or "en").lower().replace("-", "_").split("_")[0]
    return code if code in LABELS else "en"
