/// The version of seu-onnx (library and command-line tool), as recorded in export manifests.
public enum SEUOnnxVersion {
    public static let string = "0.1.0"
}
