import Curation

/// The `--format` values of the dataset commands.
enum AnnotationFormatArgument: String, CaseIterable {
    case coco, voc, labelme, folders, csv, detections, zooniverse, w3c
    var format: AnnotationFormat { AnnotationFormat(rawValue: rawValue) ?? .coco }
}
