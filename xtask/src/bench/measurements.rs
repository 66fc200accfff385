//! Reading criterion's `raw.csv` files (its documented, stable output).

use std::fs;
use std::path::Path;

use crate::Result;

/// One benchmark's result: `<group>/<runtime>/<construct>/<param>`.
#[derive(Debug, Clone)]
pub(crate) struct Measurement {
    pub(crate) group: String,
    pub(crate) runtime: String,
    pub(crate) construct: String,
    /// Depth, entries or operations per iteration.
    pub(crate) param: u64,
    /// Slope of time against iterations: ns per iteration.
    pub(crate) ns_per_iter: f64,
    /// Fastest and slowest sample, in ns per iteration.
    pub(crate) fastest: f64,
    pub(crate) slowest: f64,
    pub(crate) samples: usize,
    pub(crate) iterations: u64,
}

impl Measurement {
    /// Time per entry (per enter/exit pair, per operation).
    pub(crate) fn ns_per_entry(&self) -> f64 {
        self.ns_per_iter / self.param.max(1) as f64
    }
}

/// Reads the `new/raw.csv` of every benchmark id in `ids` under
/// `criterion_home`, in the order of `ids`.
pub(crate) fn read(criterion_home: &Path, ids: &[&str]) -> Result<Vec<Measurement>> {
    let mut files = Vec::new();
    collect_raw_csv(criterion_home, &mut files)?;
    let mut measured = Vec::new();
    for file in files {
        if let Some(measurement) = parse(&fs::read_to_string(&file)?)
            .map_err(|error| format!("{}: {error}", file.display()))?
        {
            measured.push(measurement);
        }
    }
    let id = |m: &Measurement| format!("{}/{}/{}/{}", m.group, m.runtime, m.construct, m.param);
    let mut ordered = Vec::new();
    for wanted in ids {
        if let Some(found) = measured.iter().find(|m| id(m) == *wanted) {
            ordered.push(found.clone());
        }
    }
    Ok(ordered)
}

fn collect_raw_csv(dir: &Path, files: &mut Vec<std::path::PathBuf>) -> Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_raw_csv(&path, files)?;
        } else if path.file_name().is_some_and(|name| name == "raw.csv")
            && path
                .parent()
                .and_then(Path::file_name)
                .is_some_and(|dir| dir == "new")
        {
            files.push(path);
        }
    }
    Ok(())
}

/// Parses one `raw.csv`; `None` when its ids do not follow the benches'
/// `<group>/<runtime>/<construct>/<param>` scheme.
fn parse(csv: &str) -> Result<Option<Measurement>> {
    let mut lines = csv.lines();
    let header = split_csv_line(lines.next().ok_or("empty file")?);
    let column = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| format!("no `{name}` column"))
    };
    let (group_at, function_at, value_at) =
        (column("group")?, column("function")?, column("value")?);
    let (time_at, unit_at, iters_at) = (
        column("sample_measured_value")?,
        column("unit")?,
        column("iteration_count")?,
    );

    let mut first = None;
    let (mut xy, mut xx) = (0.0, 0.0);
    let (mut fastest, mut slowest) = (f64::INFINITY, 0.0_f64);
    let (mut samples, mut iterations) = (0, 0_u64);
    for line in lines.filter(|line| !line.is_empty()) {
        let fields = split_csv_line(line);
        let field = |at: usize| fields.get(at).map(String::as_str).unwrap_or("");
        if field(unit_at) != "ns" {
            return Err(format!("unit `{}`, expected ns", field(unit_at)).into());
        }
        let time: f64 = field(time_at).parse()?;
        let iters: u64 = field(iters_at).parse()?;
        if iters == 0 {
            continue;
        }
        let x = iters as f64;
        xy += x * time;
        xx += x * x;
        fastest = fastest.min(time / x);
        slowest = slowest.max(time / x);
        samples += 1;
        iterations += iters;
        first.get_or_insert_with(|| {
            (
                field(group_at).to_owned(),
                field(function_at).to_owned(),
                field(value_at).to_owned(),
            )
        });
    }
    let Some((group, function, value)) = first else {
        return Ok(None);
    };
    let (Some((runtime, construct)), Ok(param)) = (function.split_once('/'), value.parse()) else {
        return Ok(None);
    };
    Ok(Some(Measurement {
        group,
        runtime: runtime.to_owned(),
        construct: construct.to_owned(),
        param,
        ns_per_iter: xy / xx,
        fastest,
        slowest,
        samples,
        iterations,
    }))
}

/// Splits one CSV record (RFC 4180 quoting; records here never span lines).
fn split_csv_line(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut field = String::new();
    let mut quoted = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                field.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => fields.push(std::mem::take(&mut field)),
            (c, _) => field.push(c),
        }
    }
    fields.push(field);
    fields
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slope_of_linear_samples_is_the_time_per_iteration() {
        let csv = "group,function,value,throughput_num,throughput_type,sample_measured_value,unit,iteration_count\n\
                   overhead,tokio-ct/with,16,,,1000.0,ns,100\n\
                   overhead,tokio-ct/with,16,,,2000.0,ns,200\n";
        let m = parse(csv).unwrap().unwrap();
        assert_eq!(
            (m.group.as_str(), m.runtime.as_str(), m.construct.as_str()),
            ("overhead", "tokio-ct", "with")
        );
        assert_eq!(m.param, 16);
        assert!((m.ns_per_iter - 10.0).abs() < 1e-9);
        assert!((m.ns_per_entry() - 10.0 / 16.0).abs() < 1e-9);
        assert_eq!((m.samples, m.iterations), (2, 300));
    }

    #[test]
    fn quoted_fields_keep_their_commas() {
        assert_eq!(split_csv_line(r#"a,"b,c","d""e""#), ["a", "b,c", r#"d"e"#]);
    }
}
