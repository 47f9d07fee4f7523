import COpenCVDNN
import Foundation

// The only file that calls the `COpenCVDNN` shim. Every call goes through `checked`, which hands
// the shim an error buffer and turns a failure status into `InferenceError` at once.

/// Capacity of the buffer the shim writes its error message into, in bytes.
private let errorCapacity = 2048

/// Calls a shim function that follows the `COpenCVDNN` convention (int status, error buffer).
private func checked(
    _ failureCode: InferenceError.Code,
    _ operation: @autoclosure () -> String,
    _ call: (UnsafeMutablePointer<CChar>, Int) -> Int32
) throws(InferenceError) {
    var failure: (status: Int32, underlying: String)?
    withUnsafeTemporaryAllocation(of: CChar.self, capacity: errorCapacity) { buffer in
        guard let base = buffer.baseAddress else { return }
        base.initialize(to: 0)
        let status = call(base, errorCapacity)
        if status != VT_DNN_OK { failure = (status, String(cString: base)) }
    }
    guard let failure else { return }
    let code: InferenceError.Code =
        switch failure.status {
        case VT_DNN_INVALID_ARGUMENT: .invalidArgument
        case VT_DNN_OUT_OF_MEMORY: .outOfMemory
        default: failureCode
        }
    throw InferenceError(code, operation(), underlying: failure.underlying)
}

/// The file formats OpenCV DNN reads.
public enum ModelFormat: String, Sendable, Codable, CaseIterable {
    /// ONNX (`cv::dnn::readNetFromONNX`; Conv needs `kernel_shape`, Clip its attribute form).
    case onnx
    /// TensorFlow frozen graph `.pb` (`cv::dnn::readNetFromTensorflow`).
    case tensorflow
    /// An OpenCV data file (YAML/XML, e.g. the BRISQUE SVR model); located and checked like a
    /// model, loaded by the module that uses it, never as a `Network`.
    case opencvData
}

/// Owner of one `vt_dnn_net` handle.
final class NativeNet {
    let handle: OpaquePointer
    let outputNames: [String]

    init(path: String, format: ModelFormat) throws(InferenceError) {
        var out: OpaquePointer?
        let formatCode: Int32 = format == .onnx ? VT_DNN_FORMAT_ONNX : VT_DNN_FORMAT_TENSORFLOW
        try checked(.loadFailed, "OpenCV DNN could not load the \(format.rawValue) model \(path)") {
            vt_dnn_net_load(path, nil, formatCode, &out, $0, $1)
        }
        guard let out else {
            throw InferenceError(.loadFailed, "OpenCV DNN returned no network for \(path)")
        }
        handle = out
        var names: [String] = []
        for index in 0..<vt_dnn_net_output_count(out) {
            var buffer = [CChar](repeating: 0, count: 512)
            if vt_dnn_net_output_name(out, index, &buffer, buffer.count) >= 0 {
                names.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
        }
        outputNames = names
    }

    deinit { vt_dnn_net_destroy(handle) }

    /// One forward pass; the caller serialises calls on one `NativeNet`.
    func forward(input: Tensor, inputName: String?, outputs: [String], model: String)
        throws(InferenceError) -> [Tensor]
    {
        let shape = input.shape.map { Int32(clamping: $0) }
        var result: OpaquePointer?
        let cNames = outputs.map { strdup($0) }
        defer { cNames.forEach { free($0) } }
        let namePointers: [UnsafePointer<CChar>?] = cNames.map { UnsafePointer($0) }
        try input.values.withUnsafeBufferPointer { (values) throws(InferenceError) in
            try checked(.forwardFailed, "forward pass of \(model) on input \(input.shape) for outputs \(outputs)") {
                error, capacity in
                namePointers.withUnsafeBufferPointer { names in
                    vt_dnn_net_forward(
                        handle, inputName, values.baseAddress, shape, Int32(shape.count),
                        names.baseAddress, Int32(outputs.count), &result, error, capacity)
                }
            }
        }
        guard let result else {
            throw InferenceError(.forwardFailed, "forward pass of \(model) returned no outputs")
        }
        defer { vt_dnn_outputs_destroy(result) }
        var tensors: [Tensor] = []
        for index in 0..<vt_dnn_outputs_count(result) {
            let rank = Int(vt_dnn_outputs_rank(result, index))
            let count = Int(vt_dnn_outputs_element_count(result, index))
            guard let shapePointer = vt_dnn_outputs_shape(result, index),
                let dataPointer = vt_dnn_outputs_data(result, index)
            else {
                throw InferenceError(.forwardFailed, "output \(index) of \(model) has no data")
            }
            let extents = (0..<rank).map { Int(shapePointer[$0]) }
            let values = Array(UnsafeBufferPointer(start: dataPointer, count: count))
            tensors.append(try Tensor(shape: extents.isEmpty ? [count] : extents, values: values))
        }
        return tensors
    }
}

/// OpenCV's process-wide worker-thread count (`cv::setNumThreads` / `cv::getNumThreads`).
enum NativeThreads {
    static func set(_ threads: Int) { vt_dnn_set_threads(Int32(clamping: threads)) }
    static func get() -> Int { Int(vt_dnn_get_threads()) }
}
