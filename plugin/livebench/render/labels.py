"""Words the rendered blocks use, per edition. One record feeds both; only these labels differ."""
from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "build": "Build", "size": "Size", "bytes": "bytes", "kind": "Kind", "libc": "C library",
        "interpreter": "Interpreter (PT_INTERP)", "needed": "Needed (DT_NEEDED)", "stripped": "Stripped",
        "yes": "yes", "no": "no", "none": "none", "seconds": "Build time",
        "ldd_title": "ldd-style listing of {name}, read from the ELF file (nothing was executed)",
        "measured": "measured live", "cached": "from cache", "failed": "failed",
        "incremental": "incremental build (reuses the work of earlier runs)",
        "exit": "exit code", "image": "Image", "base": "Base", "uncompressed": "Uncompressed",
        "compressed": "Compressed (gzip layers)", "engine": "Docker engine", "reference": "Published elsewhere",
        "reference_note": "Figures published elsewhere are shown with their source, for comparison only; every other figure is measured on this machine.",
        "layers": "Layers", "app": "app", "runs": "runs", "fails": "fails", "expected": "expected",
        "unexpected": "unexpected", "probe_matrix": "Where each binary runs",
        "emulated": "emulated", "emulated_by": "another CPU's binary, run on this {arch} machine by {emulator}",
        "build_failed": "This build failed; its numbers are not available.",
        "provenance": "Measured", "on": "on", "with": "with",
        "warning": "livebench",
        # charts (render/charts.py)
        "chart_image_sizes": "Image size: base layers and app layer", "chart_binary_sizes": "Binary size by C library",
        "chart_build_times": "Build time per build", "layer_base": "base layers", "layer_app": "app layer",
        "layer": "Layer", "total": "total", "program": "Program", "result": "Result", "note": "Note",
        "expectation": "Against the spec", "axis_uncompressed": "Uncompressed size (bytes)",
        "axis_compressed": "Compressed size (bytes, gzip layers)", "axis_file_size": "File size (bytes)",
        "axis_seconds": "Seconds", "show_uncompressed": "Uncompressed", "show_compressed": "Compressed",
        "bytes_fmt": "{v} bytes", "seconds_fmt": "{v} s", "chart_data": "Exact figures",
        "download": "Data behind this chart",
        "chart_aria": "Chart: {title}. The exact figures are in the table below it.",
        "claim_ok": "Checked when this site was built", "claim_false": "FALSE when this site was built",
        "claim_unknown": "Not measured in this run", "claim_measured": "measured", "claim_expected": "expected",
        "claim_false_title": "livebench: a claim on this page is false",
        "claim_reproduce": "Reproduce the measurement:",
        "prov_summary": "Measured on {where}", "prov_date": "Date", "prov_commit": "Commit",
        "prov_dirty": "with uncommitted changes", "prov_host": "Host", "prov_kernel": "Kernel",
        "prov_engine": "Container engine", "prov_backend": "Image backend", "prov_tools": "Toolchain",
        "prov_livebench": "livebench", "prov_storage": "storage driver",
        "frozen_title": "Frozen results",
        "frozen_note": "The numbers on this page were measured on {date} on {host} (commit {commit}) and read "
                       "from {path}; nothing was built or run when this site was built.",
        # measurements (render/measures.py)
        "benchmark": "Benchmark", "medians": "Medians", "ratio": "Ratio", "target": "Target",
        "verdict_met": "target met", "verdict_missed": "target missed", "verdict_none": "no target",
        "per_second": "binaries/s", "chart_ratios": "Measured ratios (1× = as fast as the baseline)",
        "axis_ratio": "Ratio",
        "variant": "Variant", "median_ci": "Median (95 % CI)", "mean_sd": "Mean ± σ (min … max)", "range": "Min … max",
        "bench_runs_outliers": "Runs (outliers)",
        "bench_runs": "Runs", "outliers": "Outliers", "peak_rss": "Peak memory", "versus": "vs {ref}",
        "reference_variant": "reference", "faster": "faster", "slower": "slower",
        "no significant difference": "no significant difference",
        "bench_caption": "{where}: {command}, {warmup} warm-up run(s) per variant, then the variants in alternating order. "
                         "Measured {date} on {cpu} ({cpus} CPUs{governor}); load average {before} before, {after} after.",
        "bench_where_host": "On the host", "bench_where_sandbox": "In the sandbox, in base {base}",
        "bench_shell": " The command runs through bash, whose start-up is part of every sample.",
        "bench_rss_note": "Peak memory: the largest of 3 runs of their own; {floor} of it is the launcher's.",
        "bench_verdict_note": "“faster” or “slower” only when Mann–Whitney U gives p < {alpha}, the 95 % interval of the "
                              "ratio excludes 1 and the ratio is at least {effect} away from it.",
        "bench_cached": "Reused from the cache: the same artifacts, command, inputs and machine.",
        "chart_bench": "{name}: time per run (every sample)", "axis_time": "Time per run", "outlier": "outlier",
        "not_measured": "not measured",
        "tag": "Tag", "image_id": "Image ID", "layer_word_base": "base", "layer_word_app": "app",
        "source_caption": "{path}, as built by {builds} (sha256 {digest}…)",
        "lines_hidden": "livebench: {n} line(s) hidden by this page's `hide:`", "lines_folded": "{n} more lines",
        "computed_listing": "Computed by livebench from the image's layers (the embedded backend wrote it; no engine was asked). "
                            "The Docker engine would show the same uncompressed size.",
        "probe_how_docker": "How it ran: the Docker command", "probe_how_sandbox": "How it ran: the sandbox command",
        "measurements_note": "Measured by the scripts in benchmarks/perf/ (variants alternated, medians of several "
                             "rounds) and read from their result files into the record; the site build does not re-run them.",
        "chart_timeline": "How the run went: each step of the graph", "timeline_this": "measured by this build's run",
        "timeline_kept": "the last cold run, of {date} (kept in the cache; this build reused its results)",
        "timeline_note": "wall {wall}; critical path {critical}; lower bound {bound}; CPU {cpu} on {jobs} slots",
        "axis_run_seconds": "Seconds since the run started", "kind_cpu": "CPU-bound (shares the build slots)",
        "kind_io": "I/O-bound (beside them)", "critical": "on the critical path", "step": "Step", "start": "Start",
        "end": "End", "probes_row": "probes ({n} cells)",
    },
    "ko": {
        "build": "빌드", "size": "크기", "bytes": "바이트", "kind": "종류", "libc": "C 라이브러리",
        "interpreter": "인터프리터 (PT_INTERP)", "needed": "필요 라이브러리 (DT_NEEDED)", "stripped": "strip 여부",
        "yes": "예", "no": "아니오", "none": "없음", "seconds": "빌드 시간",
        "ldd_title": "{name}의 ldd 형식 목록: ELF 파일을 읽어 만든 것입니다 (아무것도 실행하지 않음)",
        "measured": "빌드 시 실측", "cached": "캐시에서", "failed": "실패",
        "incremental": "증분 빌드(이전 실행의 작업을 재사용)",
        "exit": "종료 코드", "image": "이미지", "base": "베이스", "uncompressed": "압축 전",
        "compressed": "압축 후 (gzip 레이어)", "engine": "Docker 엔진", "reference": "다른 곳의 발표 수치",
        "reference_note": "다른 곳에서 발표된 수치는 출처와 함께 비교용으로만 보여 줍니다. 나머지 수치는 모두 이 머신에서 잰 값입니다.",
        "layers": "레이어", "app": "앱", "runs": "실행됨", "fails": "실패", "expected": "예상대로",
        "unexpected": "예상과 다름", "probe_matrix": "바이너리별 실행 가능 여부",
        "emulated": "에뮬레이션", "emulated_by": "다른 CPU용 바이너리를 이 {arch} 머신에서 {emulator}로 실행",
        "build_failed": "이 빌드는 실패했습니다. 수치를 보여 줄 수 없습니다.",
        "provenance": "측정", "on": "환경", "with": "도구",
        "warning": "livebench",
        # 차트 (render/charts.py)
        "chart_image_sizes": "이미지 크기: 베이스 레이어와 앱 레이어", "chart_binary_sizes": "C 라이브러리별 바이너리 크기",
        "chart_build_times": "빌드별 빌드 시간", "layer_base": "베이스 레이어", "layer_app": "앱 레이어",
        "layer": "레이어", "total": "합계", "program": "프로그램", "result": "결과", "note": "비고",
        "expectation": "스펙과 비교", "axis_uncompressed": "압축 전 크기 (바이트)",
        "axis_compressed": "압축 후 크기 (바이트, gzip 레이어)", "axis_file_size": "파일 크기 (바이트)",
        "axis_seconds": "초", "show_uncompressed": "압축 전", "show_compressed": "압축 후",
        "bytes_fmt": "{v}바이트", "seconds_fmt": "{v}초", "chart_data": "정확한 수치",
        "download": "이 차트의 데이터",
        "chart_aria": "차트: {title}. 정확한 수치는 아래 표에 있습니다.",
        "claim_ok": "사이트 빌드 시 확인됨", "claim_false": "사이트 빌드 시 거짓으로 확인됨",
        "claim_unknown": "이번 실행에서 측정하지 않음", "claim_measured": "측정값", "claim_expected": "기대값",
        "claim_false_title": "livebench: 이 페이지의 주장 중 사실과 다른 것이 있습니다",
        "claim_reproduce": "측정을 재현하는 명령:",
        "prov_summary": "측정 환경: {where}", "prov_date": "날짜", "prov_commit": "커밋",
        "prov_dirty": "커밋되지 않은 변경 있음", "prov_host": "호스트", "prov_kernel": "커널",
        "prov_engine": "컨테이너 엔진", "prov_backend": "이미지 백엔드", "prov_tools": "툴체인",
        "prov_livebench": "livebench", "prov_storage": "스토리지 드라이버",
        "frozen_title": "고정된 결과",
        "frozen_note": "이 페이지의 수치는 {date}에 {host}(커밋 {commit})에서 측정한 것으로, {path}에서 "
                       "읽었습니다. 이 사이트를 빌드할 때는 아무것도 빌드하거나 실행하지 않았습니다.",
        # measurements (render/measures.py)
        "benchmark": "벤치마크", "medians": "중앙값", "ratio": "비율", "target": "목표",
        "verdict_met": "목표 달성", "verdict_missed": "목표 미달", "verdict_none": "목표 없음",
        "per_second": "바이너리/초", "chart_ratios": "측정한 비율 (1× = 기준과 같은 속도)",
        "axis_ratio": "비율",
        "variant": "변형", "median_ci": "중앙값 (95 % 신뢰구간)", "mean_sd": "평균 ± σ (최소 … 최대)", "range": "최소 … 최대",
        "bench_runs_outliers": "실행 횟수 (이상치)",
        "bench_runs": "실행 횟수", "outliers": "이상치", "peak_rss": "최대 메모리", "versus": "{ref} 대비",
        "reference_variant": "기준", "faster": "더 빠름", "slower": "더 느림",
        "no significant difference": "유의한 차이 없음",
        "bench_caption": "{where}: {command}. 변형마다 준비 실행 {warmup}회 뒤, 변형을 번갈아 가며 실행했습니다. "
                         "측정: {date}, {cpu} (CPU {cpus}개{governor}), 부하 평균 측정 전 {before}, 후 {after}.",
        "bench_where_host": "호스트에서", "bench_where_sandbox": "샌드박스 안, 베이스 {base}에서",
        "bench_shell": " 명령은 bash로 실행되므로, 모든 표본에 bash 시작 시간이 들어 있습니다.",
        "bench_rss_note": "최대 메모리: 따로 3회 실행한 값 중 가장 큰 값이며, 그중 {floor}는 실행기(launcher)의 몫입니다.",
        "bench_verdict_note": "Mann–Whitney U의 p < {alpha}이고, 비율의 95 % 신뢰구간이 1을 포함하지 않으며, 비율이 1에서 "
                              "{effect} 이상 떨어져 있을 때만 “더 빠름” 또는 “더 느림”이라고 합니다.",
        "bench_cached": "캐시에서 다시 사용한 결과입니다: 아티팩트, 명령, 입력, 머신이 모두 같습니다.",
        "chart_bench": "{name}: 실행 1회당 시간 (모든 표본)", "axis_time": "실행 1회당 시간", "outlier": "이상치",
        "not_measured": "측정 안 됨",
        "tag": "태그", "image_id": "이미지 ID", "layer_word_base": "베이스", "layer_word_app": "앱",
        "source_caption": "{path}: {builds} 빌드가 컴파일한 그대로 (sha256 {digest}…)",
        "lines_hidden": "livebench: 이 페이지의 `hide:` 설정으로 {n}줄을 숨겼습니다", "lines_folded": "{n}줄 더 보기",
        "computed_listing": "livebench가 이미지의 레이어로 계산한 값입니다(내장 백엔드가 이미지를 썼고, 엔진에는 묻지 않았습니다). "
                            "Docker 엔진도 같은 비압축 크기를 보여 줍니다.",
        "probe_how_docker": "실제 실행 방법: Docker 명령", "probe_how_sandbox": "실제 실행 방법: 샌드박스 명령",
        "measurements_note": "benchmarks/perf/의 스크립트로 측정한 값입니다 (비교 대상을 번갈아 실행, 여러 회의 중앙값). "
                             "결과 파일을 레코드로 읽어 온 것이며, 사이트를 빌드할 때 다시 실행하지는 않습니다.",
        "chart_timeline": "실행 경과: 그래프의 각 단계", "timeline_this": "이번 빌드의 실행에서 측정",
        "timeline_kept": "마지막 콜드 실행({date}, 캐시에 보관; 이번 빌드는 그 결과를 다시 사용)",
        "timeline_note": "전체 {wall}, 임계 경로 {critical}, 하한 {bound}, CPU {cpu} (슬롯 {jobs}개)",
        "axis_run_seconds": "실행 시작 후 경과 시간(초)", "kind_cpu": "CPU 위주 (빌드 슬롯을 나눠 씀)",
        "kind_io": "I/O 위주 (그 옆에서 실행)", "critical": "임계 경로", "step": "단계", "start": "시작",
        "end": "끝", "probes_row": "프로브 ({n}칸)",
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
