using Fleet.WasmExecutor;

using var executor = new Executor(Frames.OpenProtocolPipes());
return executor.Run();
