import RTPCore

/// PLACEHOLDER: Prometheus exposition and HTTP endpoints (the exporter work fills this in).
public enum ExporterPlaceholder {}
