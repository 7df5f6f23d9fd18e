import EngineWorkloads
import PlantedWorkloads
import SoakGateCLI

// The planted cases and the engines' operations (EngineWorkloads, the one module that joins
// the engines to the harness); the harness modules never import an engine.
await SoakGateMain.run(workloads: PlantedWorkloads.all + EngineWorkloads.all)
