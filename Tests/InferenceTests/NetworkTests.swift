import Foundation
import Testing

@testable import Inference

/// Writes a tiny ONNX model: y = Relu(Conv(x, W, b)) with a 1×1 convolution of 2 input to 2 output
/// channels (W = [[1, 2], [−1, 1]], b = [0.5, −1]), plus `total` = ReduceSum over everything.
private let tinyModelScript = """
import sys, onnx
from onnx import helper, TensorProto, numpy_helper
import numpy as np
W = numpy_helper.from_array(np.array([[[[1.0]],[[2.0]]],[[[-1.0]],[[1.0]]]], dtype=np.float32), "W")
b = numpy_helper.from_array(np.array([0.5, -1.0], dtype=np.float32), "b")
conv = helper.make_node("Conv", ["x", "W", "b"], ["conv"], kernel_shape=[1, 1])
relu = helper.make_node("Relu", ["conv"], ["y"])
flat = helper.make_node("Flatten", ["y"], ["flat"], axis=1)
graph = helper.make_graph([conv, relu, flat], "tiny",
    [helper.make_tensor_value_info("x", TensorProto.FLOAT, [1, 2, 2, 2])],
    [helper.make_tensor_value_info("y", TensorProto.FLOAT, [1, 2, 2, 2]),
     helper.make_tensor_value_info("flat", TensorProto.FLOAT, [1, 8])], [W, b])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 9)])
model.ir_version = 5
onnx.save(model, sys.argv[1])
"""

@Suite struct NetworkTests {
    @Test func tinyOnnxModelGivesHandComputedOutputsThroughTheShim() throws {
        guard let python = venvPython else {
            #expect(!sharedRequired, ".venv is missing under CI (run scripts/setup)")
            print("skipped: no .venv/bin/python (run scripts/setup)")
            return
        }
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("tiny.onnx").path
        _ = try runPython(python, tinyModelScript, [path])

        let network = try Network(path: path)
        // x: channel 0 = [1, 2, 3, 4], channel 1 = [0, 1, −1, 2] (2×2 each).
        let input = try Tensor(shape: [1, 2, 2, 2], values: [1, 2, 3, 4, 0, 1, -1, 2])
        let outputs = try network.forward(input, outputs: ["y", "flat"])
        let y = try #require(outputs["y"])
        #expect(y.shape == [1, 2, 2, 2])
        // out0 = x0 + 2·x1 + 0.5 = [1.5, 4.5, 1.5, 8.5]; out1 = relu(−x0 + x1 − 1) = [0, 0, 0, 0] … −1+0−1=−2→0,
        // −2+1−1=−2→0, −3−1−1=−5→0, −4+2−1=−3→0.
        #expect(y.values == [1.5, 4.5, 1.5, 8.5, 0, 0, 0, 0])
        let flat = try #require(outputs["flat"])
        #expect(flat.shape == [1, 8])
        #expect(flat.values == y.values)
    }

    @Test func wrongInputShapeIsAnErrorNamingTheModel() throws {
        guard let python = venvPython else {
            #expect(!sharedRequired, ".venv is missing under CI (run scripts/setup)")
            return
        }
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("tiny.onnx").path
        _ = try runPython(python, tinyModelScript, [path])
        let network = try Network(path: path, name: "tiny")
        let input = try Tensor(shape: [1, 3, 2, 2], values: Array(repeating: 1, count: 12))
        do {
            _ = try network.forward(input, outputs: ["y"])
            Issue.record("a 3-channel input to a 2-channel convolution succeeded")
        } catch {
            #expect(error.code == .forwardFailed)
            #expect(error.message.contains("tiny"))
            #expect(error.underlying?.isEmpty == false)
        }
    }

    @Test func unreadableModelFileIsAnErrorNamingThePath() {
        #expect(throws: InferenceError.self) { try Network(path: "/nonexistent/model.onnx") }
    }

    @Test func garbageModelFileIsALoadError() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("garbage.onnx")
        try Data("not a model".utf8).write(to: path)
        do {
            _ = try Network(path: path.path)
            Issue.record("garbage loaded")
        } catch {
            #expect(error.code == .loadFailed)
            #expect(error.message.contains(path.path))
        }
    }

    @Test func tensorRejectsAValueCountThatDoesNotMatchTheShape() {
        #expect(throws: InferenceError.self) { try Tensor(shape: [2, 3], values: [1, 2]) }
    }
}

@Suite struct ModelLocatorTests {
    @Test func mirroredModelsAreFoundAndTheirChecksumsMatch() throws {
        let mirror = sharedFolder.appendingPathComponent("models")
        guard FileManager.default.fileExists(atPath: mirror.path) else {
            #expect(!sharedRequired, "../shared/models is missing under CI")
            return
        }
        let locator = ModelLocator(storeModels: nil, environment: ["VITRINE_MODEL_MIRROR": mirror.path, "HOME": "/nonexistent"])
        for model in [ModelRegistry.yoloxNano, ModelRegistry.ultraFace320, ModelRegistry.efficientNetLite0Reference] {
            let url = try locator.locate(model)
            #expect(url.path.hasPrefix(mirror.path))
        }
    }

    @Test func checksumMismatchIsAnErrorNamingTheFile() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent(ModelRegistry.yoloxNano.fileName)
        try Data("tampered".utf8).write(to: file)
        let locator = ModelLocator(storeModels: folder, environment: ["VITRINE_MODEL_MIRROR": "/nonexistent", "HOME": "/nonexistent"])
        do {
            _ = try locator.locate(ModelRegistry.yoloxNano)
            Issue.record("a tampered file was accepted")
        } catch {
            #expect(error.code == .checksumMismatch)
            #expect(error.message.contains(file.path))
        }
    }

    @Test func missingModelNamesTheFoldersSearchedAndTheSource() {
        let locator = ModelLocator(storeModels: nil, environment: ["VITRINE_MODEL_MIRROR": "/nonexistent", "HOME": "/nonexistent"])
        do {
            _ = try locator.locate(ModelRegistry.ultraFace640)
            Issue.record("found a model that is nowhere")
        } catch {
            #expect(error.code == .modelNotFound)
            #expect(error.message.contains("/nonexistent"))
            #expect(error.message.contains("github.com"))
        }
    }

    @Test func unknownModelNameListsTheKnownOnes() {
        do {
            _ = try ModelRegistry.descriptor(named: "resnet-9000")
            Issue.record("unknown name accepted")
        } catch {
            #expect(error.code == .unknownModel)
            #expect(error.message.contains("efficientnet-lite0"))
        }
    }

    @Test func mirroredDetectorsLoadInOpenCV() throws {
        let mirror = sharedFolder.appendingPathComponent("models")
        guard FileManager.default.fileExists(atPath: mirror.path) else {
            #expect(!sharedRequired, "../shared/models is missing under CI")
            return
        }
        let locator = ModelLocator(storeModels: nil, environment: ["VITRINE_MODEL_MIRROR": mirror.path, "HOME": "/nonexistent"])
        let net = try locator.load(ModelRegistry.ultraFace320)
        let input = try Tensor(shape: [1, 3, 240, 320], values: Array(repeating: 0, count: 3 * 240 * 320))
        let out = try net.forward(input, outputs: ["scores", "boxes"])
        #expect(out["scores"]?.shape == [1, 4420, 2])
        #expect(out["boxes"]?.shape == [1, 4420, 4])
    }

    /// The TensorFlow super-resolution graphs load through the shim; running them needs the
    /// `DepthToSpace` layer, which OpenCV 4.6 registers only in the contrib `dnn_superres` module
    /// (`libopencv-contrib-dev`), so core DNN reports a clear error naming the layer.
    @Test func superResolutionTensorFlowGraphLoadsAndNamesTheMissingLayer() throws {
        let mirror = sharedFolder.appendingPathComponent("models")
        guard FileManager.default.fileExists(atPath: mirror.path) else {
            #expect(!sharedRequired, "../shared/models is missing under CI")
            return
        }
        let locator = ModelLocator(storeModels: nil, environment: ["VITRINE_MODEL_MIRROR": mirror.path, "HOME": "/nonexistent"])
        let model = try ModelRegistry.descriptor(named: "fsrcnn-x2")
        let net = try locator.load(model)
        let input = try Tensor(shape: [1, 1, 12, 16], values: (0..<(12 * 16)).map { Float($0 % 16) / 16 })
        do {
            let out = try net.forward(input, inputName: model.inputName, outputs: model.outputNames)
            #expect(out["NCHW_output"]?.shape == [1, 1, 24, 32])
        } catch {
            #expect(error.code == .forwardFailed)
            #expect(error.underlying?.contains("DepthToSpace") == true)
        }
    }
}
