import PlantedWorkloads
import SoakGateCLI

// The engines' workloads join here (EngineWorkloads) as they are built; the harness modules
// never import an engine.
await SoakGateMain.run(workloads: PlantedWorkloads.all)
